import type { Settings } from './deps.ts';

/**
 * How long a webhook the CCaaS did not take waits before its next attempt, and when it is given up: the
 * first retry after `webhookFirstRetrySeconds`, each later one twice as long, never more than
 * `webhookMaxRetryDelaySeconds`, until the webhook is `webhookMaxAgeSeconds` old (a day by default, so a
 * CCaaS outage of a day loses nothing). The last attempt is made at that age, then the webhook is
 * dead-lettered. A webhook the CCaaS refused (a 4xx other than 408 and 429) is dead-lettered at once: the
 * same request would be refused again, and someone must look at it.
 */
export type WebhookRetryPolicy = Pick<
  Settings,
  'webhookFirstRetrySeconds' | 'webhookMaxRetryDelaySeconds' | 'webhookMaxAgeSeconds'
>;

/** Where a failed attempt leaves a webhook: tried again in so many whole seconds, or dead-lettered. */
export type WebhookRetry = { retryInSeconds: number } | { deadLetter: 'refused' | 'too_old' };

export interface FailedAttempt {
  /** This attempt's number, 1 for the first. */
  attempt: number;
  /** How long ago the webhook was first queued, in seconds. */
  ageSeconds: number;
  /** Whether the CCaaS refused the webhook itself, rather than being unreachable or failing. */
  refused: boolean;
}

/** The delay before attempt `attempt + 1` by the backoff alone: doubling from the first, capped. */
function backoffSeconds(policy: WebhookRetryPolicy, attempt: number): number {
  const doublings = Math.min(attempt - 1, 32);
  return Math.min(policy.webhookMaxRetryDelaySeconds, policy.webhookFirstRetrySeconds * 2 ** doublings);
}

/** What to do with a webhook whose attempt failed. */
export function nextWebhookAttempt(policy: WebhookRetryPolicy, failed: FailedAttempt): WebhookRetry {
  if (failed.refused) return { deadLetter: 'refused' };
  const left = policy.webhookMaxAgeSeconds - failed.ageSeconds;
  if (left <= 0) return { deadLetter: 'too_old' };
  // The last wait ends at the maximum age, not past it: that attempt is the last one.
  return { retryInSeconds: Math.max(1, Math.min(backoffSeconds(policy, failed.attempt), Math.ceil(left))) };
}

/**
 * How many attempts the schedule makes at most before a webhook is dead-lettered, attempts taking no time:
 * the queue must not dead-letter a webhook on its own before that (its maximum receive count).
 */
export function webhookAttemptsAtMost(policy: WebhookRetryPolicy): number {
  let attempts = 1;
  let age = 0;
  for (;;) {
    const next = nextWebhookAttempt(policy, { attempt: attempts, ageSeconds: age, refused: false });
    if (!('retryInSeconds' in next)) return attempts;
    age += next.retryInSeconds;
    attempts += 1;
  }
}
