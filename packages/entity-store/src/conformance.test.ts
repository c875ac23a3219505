// The one conformance suite, against all four backends.

import { memoryTarget, pgliteTarget, postgresTarget, redisTarget } from "./test-support/backends.js";
import { describeEntityStoreConformance } from "./test-support/conformance.js";

describeEntityStoreConformance([memoryTarget(), postgresTarget(), pgliteTarget(), redisTarget()]);
