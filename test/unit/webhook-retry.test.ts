import { describe, expect, it } from 'vitest';
import {
  nextWebhookAttempt,
  type WebhookRetryPolicy,
  webhookAttemptsAtMost,
} from '../../functions/core/webhook-retry.ts';
import {
  DEFAULT_SETTINGS,
  parseSettings,
  webhookOutboxMaxReceiveCount,
} from '../../functions/manifest/settings.ts';

const DAY = 24 * 3600;
const policy: WebhookRetryPolicy = {
  webhookFirstRetrySeconds: 1,
  webhookMaxRetryDelaySeconds: 900,
  webhookMaxAgeSeconds: DAY,
};

/** The waits of a webhook the CCaaS never takes, attempts taking no time, until it is dead-lettered. */
function waits(p: WebhookRetryPolicy): number[] {
  const out: number[] = [];
  for (let attempt = 1, age = 0; ; attempt++) {
    const next = nextWebhookAttempt(p, { attempt, ageSeconds: age, refused: false });
    if (!('retryInSeconds' in next)) return out;
    out.push(next.retryInSeconds);
    age += next.retryInSeconds;
  }
}

describe('the retry schedule of a webhook the CCaaS did not take', () => {
  it('waits 1 s after the first attempt, twice as long after each next one, never more than the maximum delay', () => {
    const schedule = waits(policy);

    expect(schedule.slice(0, 12)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
    expect(Math.max(...schedule)).toBe(900);
  });

  it('makes its last attempt at the maximum age, a day by default, and then dead-letters the webhook', () => {
    const schedule = waits(policy);

    expect(schedule.reduce((sum, wait) => sum + wait, 0)).toBe(DAY);
    expect(nextWebhookAttempt(policy, { attempt: 200, ageSeconds: DAY, refused: false })).toEqual({
      deadLetter: 'too_old',
    });
    expect(nextWebhookAttempt(policy, { attempt: 3, ageSeconds: DAY + 30, refused: false })).toEqual({
      deadLetter: 'too_old',
    });
    expect(webhookAttemptsAtMost(policy)).toBe(schedule.length + 1);
  });

  it('shortens the last wait to the time left, in whole seconds, at least one', () => {
    expect(nextWebhookAttempt(policy, { attempt: 50, ageSeconds: DAY - 100.2, refused: false })).toEqual({
      retryInSeconds: 101,
    });
    expect(nextWebhookAttempt(policy, { attempt: 50, ageSeconds: DAY - 0.1, refused: false })).toEqual({
      retryInSeconds: 1,
    });
  });

  it('dead-letters a webhook the CCaaS refused at once, however young', () => {
    expect(nextWebhookAttempt(policy, { attempt: 1, ageSeconds: 0, refused: true })).toEqual({
      deadLetter: 'refused',
    });
  });

  it('counts on the receive count for its doublings, so a long outage does not overflow them', () => {
    expect(nextWebhookAttempt(policy, { attempt: 5000, ageSeconds: 10, refused: false })).toEqual({
      retryInSeconds: 900,
    });
  });
});

describe('the webhook retry settings', () => {
  const env = (values: Record<string, string>) => parseSettings((key) => values[key]);

  it('default to a first retry after 1 s, 15 minutes apart at most, for a day', () => {
    expect(parseSettings(() => undefined)).toMatchObject({
      webhookFirstRetrySeconds: 1,
      webhookMaxRetryDelaySeconds: 900,
      webhookMaxAgeSeconds: DAY,
    });
  });

  it('leave SQS room for twice the schedule’s attempts before it dead-letters a message itself', () => {
    const attempts = webhookAttemptsAtMost(DEFAULT_SETTINGS);

    expect(webhookOutboxMaxReceiveCount(DEFAULT_SETTINGS)).toBe(2 * attempts);
    expect(webhookOutboxMaxReceiveCount(DEFAULT_SETTINGS)).toBeLessThanOrEqual(1000);
  });

  it.each([
    [{ webhookFirstRetrySeconds: '0' }, /WEBHOOK_FIRST_RETRY_SECONDS must be a whole number/],
    [{ webhookMaxRetryDelaySeconds: '43141' }, /from 1 to 43140/],
    [{ webhookMaxAgeSeconds: String(8 * DAY) }, /WEBHOOK_MAX_AGE_SECONDS must be .* from 1 to 604800/],
    [{ webhookFirstRetrySeconds: '60', webhookMaxRetryDelaySeconds: '30' }, /must be at most/],
    [{ webhookMaxRetryDelaySeconds: '60', webhookMaxAgeSeconds: String(7 * DAY) }, /at most 500 attempts/],
  ])('refuse %o', (values, message) => {
    expect(() => env(values)).toThrow(message);
  });
});
