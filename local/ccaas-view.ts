/**
 * What the simulated CCaaS shows the /simulator page (`GET /dev/ccaas`). Types only, so that the page can
 * name them without reaching the runtime's modules.
 */

/** One webhook as the receiver saw it. */
export interface ReceivedWebhook {
  webhookId: string;
  /** When it arrived. */
  receivedAt: string;
  /** Whether one of the secrets verified its signature; `refusal` says why not. */
  verified: boolean;
  refusal?: string;
  /** An id seen before: a retry of a webhook already received. */
  repeat: boolean;
  /** The JSON body, `{type, id, at, data}`, when it is JSON. */
  type?: string;
  at?: string;
  data?: { callId?: string; [field: string]: unknown };
}

/** A call placed from the simulator page, as the CCaaS knows it: what it sent, and what our webhooks said. */
export interface SimulatedCall {
  callId: string;
  ccaasCallId: string;
  from: string;
  queue: string;
  placedAt: string;
  /** As our webhooks report it (`queued` until the first one). */
  state: 'queued' | 'offered' | 'connected' | 'ended' | 'overflowed';
  /** The agent offered the call, or connected to it. */
  agentId?: string;
  held: boolean;
  muted: boolean;
  /** The `at` of the last webhook applied: one older than it, arriving late, changes nothing. */
  lastWebhookAt?: string;
}

/** What `GET /dev/ccaas` answers: the calls placed and the webhooks received, most recent first. */
export interface SimulatorView {
  calls: SimulatedCall[];
  webhooks: ReceivedWebhook[];
  /** Where our webhooks go when that is not here (`CCAAS_WEBHOOK_URL`): the page cannot show them then. */
  externalWebhookUrl?: string;
}
