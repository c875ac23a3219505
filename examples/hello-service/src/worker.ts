import { Worker } from "@agnt5/sdk";
import "./functions.js";

// Configured by the environment: AGNT5_COORDINATOR_ENDPOINT (default http://localhost:9091),
// AGNT5_SERVICE_VERSION, AGNT5_LOG_LEVEL, AGNT5_LOG_FORMAT, ...
const worker = new Worker({ serviceName: process.env.AGNT5_SERVICE_NAME ?? "hello-service" });
await worker.run();
