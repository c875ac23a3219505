import { Worker } from "@agnt5/sdk";
import "./flows.js";
import { docService, etlService, notificationService, reportingService } from "./handlers.js";

// The seed's flows call four services; this example runs a worker for each in one process.
// Configured by the environment: AGNT5_COORDINATOR_ENDPOINT (default http://localhost:9091), ...
const workers = [
  new Worker({ serviceName: "etl-service", registry: etlService }),
  new Worker({ serviceName: "reporting-service", registry: reportingService }),
  new Worker({ serviceName: "doc-service", registry: docService }),
  new Worker({ serviceName: "notification-service", registry: notificationService }),
];
await Promise.all(workers.map((worker) => worker.run()));
