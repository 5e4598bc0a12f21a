import { DomainError } from '../../core/errors.ts';
import type { DomainErrorCode, ErrorCode, RequestErrorCode } from '../../core/vocabulary.ts';

/** An error raised at the transport edge (bad body, bad signature) with its HTTP status. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: RequestErrorCode,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** The HTTP status of each domain error code; a new code fails to compile until it has one. */
const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
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
  INVALID_CURSOR: 422,
};

export interface MappedError {
  status: number;
  code: ErrorCode;
  message: string;
  details?: { path: string; message: string }[];
  /** Unexpected: logged with its stack, shown to the client only as INTERNAL. */
  unexpected: boolean;
}

/** The one mapping from errors to transport codes, shared by every handler shape. */
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
    return { status: DOMAIN_STATUS[err.code], code: err.code, message: err.message, unexpected: false };
  }
  return {
    status: 500,
    code: 'INTERNAL',
    message: 'unexpected error; see the logs with this request id',
    unexpected: true,
  };
}
