import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { CCAAS_EVENT_TYPES } from '../functions/manifest/index.ts';
import { listen, postSigned } from './ccaas-simulator.ts';
import type { ReceivedWebhook, SimulatedCall, SimulatorView } from './ccaas-view.ts';
import { validBody } from './dev-routes.ts';
import { sendJson } from './http-io.ts';

/** The page shows the most recent of each: a long run keeps its memory flat. */
const KEPT_CALLS = 100;
const KEPT_WEBHOOKS = 200;

/**
 * The call fields the page may send. Our API judges them (priority 0 to 10, skills, lengths...) and its
 * refusal is handed back as it is; this only keeps out what is not a call at all.
 */
const PlaceCall = z.strictObject({
  from: z.string().min(1),
  to: z.string().min(1).optional(),
  queue: z.string().min(1),
  priority: z.number().int().optional(),
  requiredSkills: z
    .array(z.strictObject({ skill: z.string().min(1), minLevel: z.number().int().optional() }))
    .optional(),
});
const PLACE_CALL_USAGE =
  'send {"from", "queue", "to"?, "priority"?: 0..10, "requiredSkills"?: [{"skill", "minLevel"?}]}';

const SendEvent = z.strictObject({
  type: z.enum(CCAAS_EVENT_TYPES),
  text: z.string().min(1).optional(),
  reason: z.string().min(1).optional(),
});
const SEND_EVENT_USAGE = `send {"type": ${CCAAS_EVENT_TYPES.join('|')}, "text"?, "reason"?}`;

const TERMINAL: readonly SimulatedCall['state'][] = ['ended', 'overflowed'];

/** What a webhook tells the CCaaS about its call. */
function change(webhook: ReceivedWebhook): Partial<SimulatedCall> {
  const data = webhook.data ?? {};
  const agentId = typeof data.agentId === 'string' ? data.agentId : undefined;
  switch (webhook.type) {
    case 'call.offered':
      return { state: 'offered', agentId };
    case 'call.accepted':
      return { state: 'connected', agentId };
    case 'call.offer_rejected':
    case 'call.offer_missed':
    case 'call.offer_revoked':
      return { state: 'queued', agentId: undefined };
    case 'call.control': {
      // The agent asked: the CCaaS holds or mutes the audio (a hang-up is told by call.ended).
      const controls: Record<string, Partial<SimulatedCall>> = {
        hold: { held: true },
        resume: { held: false },
        mute: { muted: true },
        unmute: { muted: false },
      };
      return controls[String(data.control)] ?? {};
    }
    case 'call.overflowed':
      return { state: 'overflowed' };
    case 'call.ended':
      return { state: 'ended' };
    default:
      return {};
  }
}

/**
 * The CCaaS that the `/simulator` page drives, in the local runtime only (its routes are under /dev, beside
 * the token issuer, and nothing of it is deployed): it places calls and sends call events as a CCaaS does,
 * signed with the stack's secret through the CLI simulator's `postSigned`, and receives our webhooks on a
 * loopback port of its own with the CLI's `listen`, unless an external receiver is configured
 * (`CCAAS_WEBHOOK_URL`), which then gets them instead. Routes:
 * `GET /dev/ccaas` (a SimulatorView), `POST /dev/ccaas/calls` and `POST /dev/ccaas/calls/{callId}/events`,
 * which answer with our API's own status and body.
 */
export async function startSimulatedCcaas(options: {
  /** The stack's Standard Webhooks secrets, space-separated: the first signs, any verifies. */
  secrets: string;
  /** Our REST API (known once the public port is open). */
  baseUrl: () => string;
  externalWebhookUrl?: string;
}) {
  const { secrets, baseUrl, externalWebhookUrl } = options;
  const calls = new Map<string, SimulatedCall>();
  const webhooks: ReceivedWebhook[] = [];
  /** Each event's seq: the time in milliseconds, as the CLI's, and always above the last one sent. */
  let lastSeq = 0;

  const onWebhook = (webhook: ReceivedWebhook) => {
    webhooks.unshift(webhook);
    webhooks.length = Math.min(webhooks.length, KEPT_WEBHOOKS);
    const call = webhook.data?.callId ? calls.get(webhook.data.callId) : undefined;
    if (!call || !webhook.verified || webhook.repeat || TERMINAL.includes(call.state)) return;
    const at = webhook.at ?? webhook.receivedAt;
    if (call.lastWebhookAt && at < call.lastWebhookAt) return;
    Object.assign(call, change(webhook), { lastWebhookAt: at });
  };
  const receiver = externalWebhookUrl
    ? undefined
    : await listen({ secrets, port: 0, output: { out: () => {}, err: () => {} }, onWebhook });

  async function placeCall(res: ServerResponse, body: Buffer) {
    const call = validBody(res, body, PlaceCall, PLACE_CALL_USAGE);
    if (!call) return;
    const ccaasCallId = `sim-${randomUUID()}`;
    const answer = await postSigned(baseUrl(), secrets, '/v1/calls', {
      ccaasCallId,
      to: '+15550100000',
      ...call,
    });
    const callId = answer.body.callId;
    if (answer.status === 202 && typeof callId === 'string') {
      calls.set(callId, {
        callId,
        ccaasCallId,
        from: call.from,
        queue: call.queue,
        placedAt: new Date().toISOString(),
        state: 'queued',
        held: false,
        muted: false,
      });
      for (const oldest of [...calls.keys()].slice(0, Math.max(0, calls.size - KEPT_CALLS))) {
        calls.delete(oldest);
      }
    }
    sendJson(res, answer.status, answer.body);
  }

  async function sendEvent(res: ServerResponse, body: Buffer, callId: string) {
    const event = validBody(res, body, SendEvent, SEND_EVENT_USAGE);
    if (!event) return;
    lastSeq = Math.max(Date.now(), lastSeq + 1);
    const path = `/v1/calls/${encodeURIComponent(callId)}/events`;
    const answer = await postSigned(baseUrl(), secrets, path, {
      seq: lastSeq,
      at: new Date().toISOString(),
      ...event,
    });
    // Our answer carries the call's controls as applied: the CCaaS's own hold or mute included.
    const state = answer.body.call as { held?: unknown; muted?: unknown } | undefined;
    const call = calls.get(callId);
    if (call && typeof state?.held === 'boolean' && typeof state.muted === 'boolean') {
      Object.assign(call, { held: state.held, muted: state.muted });
    }
    sendJson(res, answer.status, answer.body);
  }

  return {
    /** Where our webhooks go: the receiver here, or the external one. */
    webhookUrl: receiver?.url ?? (externalWebhookUrl as string),
    /** The /dev/ccaas routes; true when one answered the request. */
    async routes(req: IncomingMessage, res: ServerResponse, body: Buffer, url: URL): Promise<boolean> {
      if (req.method === 'GET' && url.pathname === '/dev/ccaas') {
        const view: SimulatorView = {
          calls: [...calls.values()].reverse(),
          webhooks,
          ...(externalWebhookUrl ? { externalWebhookUrl } : {}),
        };
        sendJson(res, 200, view);
        return true;
      }
      const callId = /^\/dev\/ccaas\/calls\/([^/]+)\/events$/.exec(url.pathname)?.[1];
      const posted = req.method === 'POST' && (url.pathname === '/dev/ccaas/calls' || callId !== undefined);
      if (!posted) return false;
      // JSON only: a form or text/plain POST from another site's page open in the same browser needs no
      // preflight, and would place or end calls signed with this runtime's secret.
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        sendJson(res, 415, {
          error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json' },
        });
        return true;
      }
      if (callId === undefined) {
        await placeCall(res, body);
        return true;
      }
      let decoded: string;
      try {
        decoded = decodeURIComponent(callId);
      } catch {
        sendJson(res, 400, {
          error: { code: 'BAD_REQUEST', message: 'the call id is not valid percent-encoding' },
        });
        return true;
      }
      await sendEvent(res, body, decoded);
      return true;
    },
    close: () => receiver?.close() ?? Promise.resolve(),
  };
}
