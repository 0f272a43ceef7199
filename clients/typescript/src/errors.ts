/** RFC 9457 problem details as the API answers them. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  /** Invalid input (400): messages keyed by the camelCase field name. */
  errors?: Record<string, string[]>;
  [extension: string]: unknown;
}

/** A request the API answered with an error status, or that could not be sent. */
export class DfChatError extends Error {
  /** The HTTP status; 0 when no answer came (network failure). */
  readonly status: number;
  /** The problem details of the answer, when it had any. */
  readonly problem: ProblemDetails | null;
  /** Invalid input (400): messages keyed by the camelCase field name; empty otherwise. */
  readonly errors: Record<string, string[]>;
  /** For 429 and 503: seconds to wait before trying again, from `Retry-After`; null when absent. */
  readonly retryAfter: number | null;
  /** The request's method and URL, for logs. */
  readonly request: { method: string; url: string };

  constructor(init: {
    status: number;
    problem?: ProblemDetails | null;
    retryAfter?: number | null;
    request: { method: string; url: string };
    message?: string;
    cause?: unknown;
  }) {
    const problem = init.problem ?? null;
    const errors = problem?.errors ?? {};
    const fieldText = Object.entries(errors).map(([field, messages]) => `${field}: ${messages.join(' ')}`).join('; ');
    super(
      init.message ?? (fieldText || problem?.detail || problem?.title || `${init.request.method} ${init.request.url} answered ${init.status}`),
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = 'DfChatError';
    this.status = init.status;
    this.problem = problem;
    this.errors = errors;
    this.retryAfter = init.retryAfter ?? null;
    this.request = init.request;
  }

  /** True for answers worth retrying later: 429, 503 and network failures. */
  get isTransient(): boolean {
    return this.status === 0 || this.status === 429 || this.status === 503;
  }
}

/** Reads `Retry-After` (seconds, or an HTTP date) as seconds from now. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}
