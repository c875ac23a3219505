import { Worker } from "@agnt5/sdk";
import "./agents.js";

// Configured by the environment: AGNT5_COORDINATOR_ENDPOINT (default http://localhost:9091), ...
// The agents use an offline model unless OPENAI_API_KEY or ANTHROPIC_API_KEY is set (see model.ts).
const worker = new Worker({ serviceName: process.env.AGNT5_SERVICE_NAME ?? "agents-service" });
await worker.run();
