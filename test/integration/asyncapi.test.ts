import { readFile } from 'node:fs/promises';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { WS_ROUTES } from '../../functions/handlers/catalog.ts';
import { AcceptMessage } from '../../functions/handlers/ws/accept.ts';
import { callControlMessage } from '../../functions/handlers/ws/call-control.ts';
import { HangupMessage } from '../../functions/handlers/ws/hangup.ts';
import { NoteMessage } from '../../functions/handlers/ws/note.ts';
import { OpenInteractionMessage } from '../../functions/handlers/ws/open-interaction.ts';
import { RejectMessage } from '../../functions/handlers/ws/reject.ts';
import { SetStatusMessage } from '../../functions/handlers/ws/set-status.ts';
import { SyncMessage } from '../../functions/handlers/ws/sync.ts';
import { TransferMessage } from '../../functions/handlers/ws/transfer.ts';
import { WrapUpMessage } from '../../functions/handlers/ws/wrap-up.ts';

/** The schemas the socket handlers validate with, by action. */
const VALIDATED: Record<string, z.ZodType> = {
  setStatus: SetStatusMessage,
  accept: AcceptMessage,
  reject: RejectMessage,
  mute: callControlMessage('mute'),
  unmute: callControlMessage('unmute'),
  hold: callControlMessage('hold'),
  resume: callControlMessage('resume'),
  hangup: HangupMessage,
  openInteraction: OpenInteractionMessage,
  transfer: TransferMessage,
  note: NoteMessage,
  wrapUp: WrapUpMessage,
  sync: SyncMessage,
};

const SERVER_MESSAGES = [
  'snapshot',
  'offer',
  'offerRevoked',
  'callState',
  'interactionCreated',
  'interactionPending',
  'ack',
  'error',
];

/** Documentation keys (description, summary, examples) do not change what a schema accepts. */
function schemaOnly(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(schemaOnly);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !['description', 'examples', '$schema'].includes(k) && !k.startsWith('x-'))
        .map(([k, v]) => [k, schemaOnly(v)]),
    );
  }
  return value;
}

describe('docs/asyncapi.yaml', () => {
  const text = readFile(new URL('../../docs/asyncapi.yaml', import.meta.url), 'utf8');

  it('is a valid AsyncAPI 3 document', async () => {
    const { document, diagnostics } = await new Parser().parse(await text);
    const errors = diagnostics
      .filter((d) => d.severity === 0)
      .map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('documents every socket route the gateway has', async () => {
    const messages = Object.keys(parse(await text).components.messages);
    const actions = WS_ROUTES.map((r) => r.route).filter((r) => !r.startsWith('$'));
    expect(actions.sort()).toEqual(Object.keys(VALIDATED).sort());
    for (const action of actions) expect(messages).toContain(action);
    for (const type of SERVER_MESSAGES) expect(messages).toContain(type);
  });

  it.each(Object.keys(VALIDATED))('describes %s exactly as the handler validates it', async (action) => {
    const documented = parse(await text).components.messages[action].payload;
    expect(schemaOnly(documented)).toEqual(schemaOnly(z.toJSONSchema(VALIDATED[action] as z.ZodType)));
  });
});
