/**
 * Exit codes that mean something to a script (documented in README.md). Every failure the CLI
 * reports is a CliError carrying one of them; main.ts prints the message and exits with the code.
 */
export const EXIT = {
  OK: 0,
  /** The run or call failed (or was cancelled), or the coordinator answered with an error not listed below. */
  FAILED: 1,
  /** The command line is wrong (unknown option, bad JSON argument), or the API refused the request as malformed. */
  USAGE: 2,
  /** The run, service, entity or route does not exist. */
  NOT_FOUND: 3,
  /** The action conflicts with the run's state (not pausable, not retryable, already finished). */
  CONFLICT: 4,
  /** The coordinator could not be reached. */
  UNREACHABLE: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** The API's error code when the coordinator answered with one (RUN_NOT_FOUND, ...). */
  readonly code: string | undefined;

  constructor(message: string, options: { exitCode: ExitCode; code?: string }) {
    super(message);
    this.name = "CliError";
    this.exitCode = options.exitCode;
    this.code = options.code;
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, { exitCode: EXIT.USAGE, code: "USAGE" });
}

/** The exit code for an HTTP error answer: 404 -> 3, 409 -> 4, other 4xx -> 2 (the request was wrong), else 1. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 409) return EXIT.CONFLICT;
  if (status >= 400 && status < 500 && status !== 408) return EXIT.USAGE;
  return EXIT.FAILED;
}

/** What a user sees when nothing answers at `url`: the URL and how to start a coordinator. */
export function unreachable(url: string, cause: unknown): CliError {
  const reason = causeText(cause);
  if (UNTRUSTED_CERTIFICATE.test(reason)) {
    return new CliError(
      `The coordinator at ${url} has a TLS certificate this machine does not trust (${reason}).\n` +
        "Pass the CA that signed it with --ca <file> or AGNT5_TLS_CA_FILE.",
      { exitCode: EXIT.UNREACHABLE, code: "UNREACHABLE" },
    );
  }
  return new CliError(
    `Cannot reach the coordinator at ${url}${reason ? ` (${reason})` : ""}.\n` +
      "Start one with `npm run agnt5 -- dev <worker file>` or `npm run quickstart`, or point --url / AGNT5_URL at a running one.",
    { exitCode: EXIT.UNREACHABLE, code: "UNREACHABLE" },
  );
}

/** Node's codes for a server certificate that is not trusted (or names another host). */
const UNTRUSTED_CERTIFICATE =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_SIGNATURE_FAILURE|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID)$/;

function causeText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? "";
}
