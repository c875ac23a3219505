import { registerWorkflow } from "@agnt5/flows";
import { documentApproval as documentApprovalFlow, nightlyEtl as nightlyEtlFlow } from "@agnt5/flows/seed";
import { docService, etlService } from "./handlers.js";

// The flow graphs are the seed's, from @agnt5/flows/seed (the package's tests and the end-to-end
// suite build the same ones); this example registers them on its services and sets two knobs.

// The seed's cron is "0 3 * * *" (3 AM). AGNT5_EXAMPLE_CRON="* * * * *" waits for the next minute instead.
const maintenanceCron = process.env.AGNT5_EXAMPLE_CRON;
// The seed's 48 hours; AGNT5_EXAMPLE_APPROVAL_TIMEOUT_MS=10000 lets you watch the escalation path.
const approvalTimeout = process.env.AGNT5_EXAMPLE_APPROVAL_TIMEOUT_MS;

/** The seed's ETL pipeline: validate, three parallel extracts, merge, clean, enrich, wait for 3 AM, load, report. */
export const nightlyEtl = registerWorkflow(
  "nightly_etl",
  nightlyEtlFlow(maintenanceCron ? { cronExpr: maintenanceCron } : {}),
  { registry: etlService },
);

/** The seed's approval workflow: a 48 h wait for approval, escalating to a manager when it times out. */
export const documentApproval = registerWorkflow(
  "document_approval",
  documentApprovalFlow(approvalTimeout ? { approvalTimeoutMs: Number(approvalTimeout) } : {}),
  { registry: docService },
);
