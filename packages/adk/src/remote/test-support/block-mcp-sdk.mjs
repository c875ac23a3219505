// node --import ./block-mcp-sdk.mjs: any import of the MCP SDK (or the HTTP framework it pulls in) fails
// naming it, so a process shows whether it loaded them.
import { register } from "node:module";

const hook = `export async function resolve(specifier, context, next) {
  if (/^(@modelcontextprotocol\\/|express$|hono$|@hono\\/)/.test(specifier)) throw new Error("blocked import: " + specifier);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
