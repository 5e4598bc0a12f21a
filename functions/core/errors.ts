import type { DomainErrorCode } from './vocabulary.ts';

/**
 * Named domain errors. Each carries a stable `code` (the vocabulary's DOMAIN_ERROR_CODES) that the edge
 * maps to a transport status in one place (`handlers/shared/errors.ts`). Workflow tasks signal the state
 * machine with WorkflowSignal instead, whose `name` is what the ASL `Catch` blocks match.
 */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

export class OfferClosedError extends DomainError {
  readonly code = 'OFFER_CLOSED';
}

export class CallEndedError extends DomainError {
  readonly code = 'CALL_ENDED';
}

export class InvalidTransitionError extends DomainError {
  readonly code = 'INVALID_STATE';
}

export class AgentNotAvailableError extends DomainError {
  readonly code = 'AGENT_NOT_AVAILABLE';
}

export class InteractionRequiredError extends DomainError {
  readonly code = 'INTERACTION_REQUIRED';
}

/** Another writer changed the item between our read and our conditional write. Retried by the stores. */
export class ConcurrentUpdateError extends DomainError {
  readonly code = 'CONFLICT';
}

/** A list's `cursor` is not one this list gave out (tampered with, or from another list). */
export class InvalidCursorError extends DomainError {
  readonly code = 'INVALID_CURSOR';
}

/** The interaction store (the CRM) failed or is unreachable. */
export class InteractionUnavailableError extends DomainError {
  readonly code = 'INTERACTION_UNAVAILABLE';
}

/**
 * Errors the workflow tasks raise on purpose: their names are matched by the `Catch` blocks of
 * `statemachines/route-call.asl.json`, so renaming one means editing the ASL too.
 */
export const WorkflowErrors = {
  NoAgentAvailable: 'NoAgentAvailable',
  CallEnded: 'CallEnded',
  OfferRejected: 'OfferRejected',
  OfferRevoked: 'OfferRevoked',
  InteractionUnavailable: 'InteractionUnavailable',
  QueueTimeExceeded: 'QueueTimeExceeded',
  /** Anything unexpected in a task (a throttled write, a lost race): the ASL retries it. */
  RetryableTaskError: 'RetryableTaskError',
} as const;
export type WorkflowErrorName = (typeof WorkflowErrors)[keyof typeof WorkflowErrors];

/** An error a workflow task throws so that the state machine takes a named `Catch` branch. */
export class WorkflowSignal extends Error {
  constructor(name: WorkflowErrorName, message: string) {
    super(message);
    this.name = name;
  }
}

/** What a workflow task of a routing round that no longer owns its call (isRoutedBy) stops with. */
export function roundOver(callId: string): WorkflowSignal {
  return new WorkflowSignal(WorkflowErrors.CallEnded, `call ${callId} ended or is routed by another round`);
}
