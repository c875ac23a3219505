// Writes docs/admin-openapi.json from @agnt5/admin-client's route schemas (`npm run docs:openapi`).
// packages/admin-client/src/openapi.test.ts fails when the committed file is not current.
import { writeFileSync } from "node:fs";
import { adminOpenApiDocument } from "../packages/admin-client/dist/index.js";

const target = new URL("../docs/admin-openapi.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(adminOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
