import { DomainError } from '../../core/errors.ts';

/** An error raised at the transport edge (bad body, bad signature) with its HTTP status. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

const DOMAIN_STATUS: Record<string, number> = {
  VALIDATION_FAILED: 422,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  OFFER_CLOSED: 409,
  CALL_ENDED: 409,
  INVALID_STATE: 409,
  AGENT_NOT_AVAILABLE: 409,
  INTERACTION_REQUIRED: 409,
  // Contention is transient: a retry succeeds, so it must not be answered (and cached) as final.
  CONFLICT: 503,
  INTERACTION_UNAVAILABLE: 503,
};

export interface MappedError {
  status: number;
  code: string;
  message: string;
  details?: { path: string; message: string }[];
  /** Unexpected: logged with its stack, shown to the client only as INTERNAL. */
  unexpected: boolean;
}

/** The one mapping from errors to transport codes, shared by the HTTP and WebSocket edges. */
export function mapError(err: unknown): MappedError {
  if (err instanceof RequestError) {
    return {
      status: err.status,
      code: err.code,
      message: err.message,
      details: err.details,
      unexpected: false,
    };
  }
  if (err instanceof DomainError) {
    return {
      status: DOMAIN_STATUS[err.code] ?? 400,
      code: err.code,
      message: err.message,
      unexpected: false,
    };
  }
  return {
    status: 500,
    code: 'INTERNAL',
    message: 'unexpected error; see the logs with this request id',
    unexpected: true,
  };
}
