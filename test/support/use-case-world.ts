import { addConnection, newAgent } from '../../functions/core/agent.ts';
import { makeUseCases } from '../../functions/core/use-cases/index.ts';
import { memoryPorts } from './memory-ports.ts';

export const t0 = new Date('2026-03-01T12:00:00Z');

/**
 * A use-case world on memory ports: available agents of queue `support`, each with a socket, and a clock
 * the test moves.
 */
export async function world(agentIds = ['a1']) {
  let now = t0;
  const ports = memoryPorts(() => now);
  const app = makeUseCases(ports.deps);
  for (const agentId of agentIds) {
    await ports.deps.agents.create({
      ...addConnection(
        newAgent(agentId, { name: agentId, queues: ['support'], autoAccept: false }, t0),
        `c-${agentId}`,
      ),
      status: 'available',
    });
  }
  return { ...ports, app, setNow: (d: Date) => (now = d) };
}

export type World = Awaited<ReturnType<typeof world>>;

/** A call received in queue `support` and offered to the first available agent. */
export async function offeredCall(w: World, ccaasCallId = 'cc') {
  const { callId } = await w.app.receiveCall({ ccaasCallId, from: '+1', to: '+2', queue: 'support' });
  w.tokens.set(`tok-${ccaasCallId}`, { state: 'waiting' });
  await w.app.offerToAgent(callId, `tok-${ccaasCallId}`);
  const offerId = (await w.deps.calls.get(callId))?.offers[0]?.offerId as string;
  return { callId, offerId };
}
