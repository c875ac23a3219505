import { Agnt5ClientError } from "./client-error.js";

export const INVOCATION_ID_HEADER = "agnt5-invocation-id";

interface ErrorBody {
  // The gateway's shape: {"error": {"code", "message", "details"?}}. The HTTP runtime's shape:
  // {"error": "message", "code", "status"}. Both are understood.
  error?: { code?: string; message?: string; details?: unknown; invocationId?: string } | string;
  code?: string;
  details?: unknown;
  invocationId?: string;
}

/** The code of an answer without one of ours (a proxy's or a server's plain 413, ...). */
const CODE_BY_STATUS: Record<number, string> = { 413: "PAYLOAD_TOO_LARGE" };

/** Turns a non-2xx response into an Agnt5ClientError carrying the gateway's code and message. */
export async function errorFromResponse(response: Response): Promise<Agnt5ClientError> {
  const text = await response.text().catch(() => "");
  let body: ErrorBody | undefined;
  try {
    body = text ? (JSON.parse(text) as ErrorBody) : undefined;
  } catch {
    body = undefined;
  }
  const error = body?.error;
  const structured = typeof error === "object" && error !== null ? error : undefined;
  const message =
    structured?.message ??
    (typeof error === "string" ? error : undefined) ??
    `HTTP ${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ""}`;
  const details = structured?.details ?? body?.details;
  const invocationId =
    response.headers.get(INVOCATION_ID_HEADER) ?? structured?.invocationId ?? body?.invocationId ?? undefined;
  return new Agnt5ClientError({
    message,
    status: response.status,
    code: structured?.code ?? body?.code ?? CODE_BY_STATUS[response.status] ?? `HTTP_${response.status}`,
    ...(invocationId ? { invocationId } : {}),
    ...(details === undefined ? {} : { details }),
  });
}

/** Parses a successful response's JSON body; an empty body is undefined. */
export async function jsonFromResponse(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Agnt5ClientError({
      message: `The gateway answered ${response.status} with a body that is not JSON: ${(error as Error).message}`,
      status: response.status,
      code: "INVALID_RESPONSE",
      invocationId: response.headers.get(INVOCATION_ID_HEADER) ?? undefined,
    });
  }
}
