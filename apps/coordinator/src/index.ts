/** @agnt5/coordinator: embed the coordinator (tests, single-binary deployments) or run dist/main.js. */
export { type CoordinatorConfig, loadConfig } from "./config.js";
export { type RunningCoordinator, startCoordinator } from "./coordinator.js";
export { CoordinatorError, httpStatusFor } from "./errors.js";
export { openStore } from "./store/index.js";
