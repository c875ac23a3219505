/**
 * Every path parameter of every route is checked here, once, before any handler runs: a value
 * the store cannot hold (U+0000, a lone surrogate, an over-long key) must be the caller's 400
 * INVALID_ID, never the store's encoding error surfacing as a 500 or a 503. Routes do not opt in:
 * the hook sees the matched route's params, and a parameter name without a rule gets the name rule.
 */
import { MAX_ID_BYTES } from "@agnt5/entity-store";
import type { FastifyInstance } from "fastify";
import { CoordinatorError } from "../errors.js";

/** Run ids a caller chooses (POST /v1/workflows/:name/runs {runId}). */
export const RUN_ID = /^[A-Za-z0-9_.:-]{1,200}$/;

/**
 * Run and invocation ids in a path: RUN_ID's alphabet, longer, since a child invocation's id is
 * its parent's followed by ".<entry index>" (a chosen run id of 200 characters has longer children).
 */
const PATH_ID = /^[A-Za-z0-9_.:-]{1,1024}$/;

/**
 * The router refuses a raw (still percent-encoded) parameter longer than this before any hook
 * runs, without naming it. Node's default header size limit (16 KiB, request line included)
 * refuses such a URL first (431), so in practice every parameter reaches the named check below.
 */
export const MAX_RAW_PARAM_LENGTH = 16 * 1024;

const CONTROL = /\p{Cc}/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

type Rule = { describe: string; check: (value: string) => string | undefined };

/** Ids we generate, and run ids: a restricted alphabet. */
const idRule = (describe: string): Rule => ({
  describe,
  check: (value) => {
    if (PATH_ID.test(value)) return undefined;
    const offending = /[^A-Za-z0-9_.:-]/u.exec(value)?.[0];
    const found = offending === undefined ? `has ${[...value].length} characters` : `contains ${codePoint(offending)}`;
    return `${found}; it must be 1-1024 characters of A-Z a-z 0-9 _ . : -`;
  },
});

/** "U+0000", with the character itself when it is printable. */
function codePoint(char: string): string {
  const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  return CONTROL.test(char) || LONE_SURROGATE.test(char) ? code : `"${char}" (${code})`;
}

/**
 * User-chosen text (entity keys such as emails or URLs, names registered by workers): any
 * printable unicode, but no control character (U+0000 above all), no lone surrogate, and at most
 * MAX_ID_BYTES UTF-8 bytes (the store's b-tree keys have a size limit).
 */
const textRule = (describe: string): Rule => ({
  describe,
  check: (value) => {
    if (value === "") return "must not be empty";
    const control = CONTROL.exec(value);
    if (control) return `contains the control character ${codePoint(control[0])}`;
    if (LONE_SURROGATE.test(value)) return "contains a lone UTF-16 surrogate, which is not valid unicode";
    if (Buffer.byteLength(value, "utf8") > MAX_ID_BYTES) return `is longer than ${MAX_ID_BYTES} UTF-8 bytes`;
    return undefined;
  },
});

const RULES: Record<string, Rule> = {
  runId: idRule("run id"),
  id: idRule("invocation id"),
  key: textRule("entity key"),
  type: textRule("entity type"),
  service: textRule("service name"),
  handler: textRule("handler name"),
  method: textRule("method name"),
  name: textRule("name"),
};

/** Checks one decoded path parameter; throws INVALID_ID naming it. */
export function checkPathParam(param: string, value: string): void {
  const rule = RULES[param] ?? textRule(param);
  const problem = rule.check(value);
  if (problem) {
    throw new CoordinatorError("INVALID_ID", `Path parameter "${param}" (${rule.describe}) ${problem}`, {
      details: { parameter: param },
    });
  }
}

/** Validates the params of every route before its handler (and after the body is read, so a client sees our answer). */
export function registerPathParamValidation(app: FastifyInstance): void {
  app.addHook("preValidation", async (request) => {
    const params = request.params as Record<string, string> | undefined;
    if (!params) return;
    for (const [param, value] of Object.entries(params)) checkPathParam(param, value);
  });
}
