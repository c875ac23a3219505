import { Worker } from "@agnt5/sdk";
import "./entities.js";

const worker = new Worker({ serviceName: process.env.AGNT5_SERVICE_NAME ?? "entities-service" });
await worker.run();
