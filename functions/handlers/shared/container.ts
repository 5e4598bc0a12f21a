import { makeDocumentClient } from '../../adapters/dynamo/client.ts';
import {
  makeAgentStore,
  makeCallStore,
  makeInteractionStore,
  makeWorkItemStore,
} from '../../adapters/dynamo/stores.ts';
import { TABLES } from '../../adapters/dynamo/tables.ts';
import { makeEventPublisher } from '../../adapters/event-publisher.ts';
import { makeSocketPusher } from '../../adapters/socket-pusher.ts';
import { makeSfnClient, makeWorkflowCallbacks, makeWorkflowStarter } from '../../adapters/workflow.ts';
import { type Deps, makeUseCases, type UseCases } from '../../core/use-cases/index.ts';
import { ENV } from '../catalog.ts';
import { lazyEnv, readSettings } from './config.ts';
import { logger } from './logger.ts';

/** Builds the real adapters from the environment. */
export function makeDeps(): Deps {
  const doc = makeDocumentClient();
  const sfn = makeSfnClient();
  return {
    calls: makeCallStore(doc, lazyEnv(TABLES.calls.envVar)),
    agents: makeAgentStore(doc, lazyEnv(TABLES.agents.envVar)),
    interactions: makeInteractionStore(doc, lazyEnv(TABLES.interactions.envVar)),
    workItems: makeWorkItemStore(doc, lazyEnv(TABLES.workItems.envVar)),
    callbacks: makeWorkflowCallbacks(sfn),
    starter: makeWorkflowStarter(sfn, lazyEnv(ENV.stateMachineArn)),
    pusher: makeSocketPusher(lazyEnv(ENV.wsManagementEndpoint), logger),
    events: makeEventPublisher(lazyEnv(ENV.eventBusName)),
    clock: { now: () => new Date() },
    logger,
    settings: readSettings(),
  };
}

let deps: Deps | undefined;
let useCases: UseCases | undefined;

/** The adapters of this Lambda container, built once (at first use, so importing a handler is cheap). */
export function ports(): Deps {
  deps ??= makeDeps();
  return deps;
}

/** The use cases of this Lambda container, wired once. */
export function app(): UseCases {
  useCases ??= makeUseCases(ports());
  return useCases;
}

/** Forgets the wiring, so that a new configuration takes effect (the local runtime restarting in-process). */
export function resetApp(): void {
  deps = undefined;
  useCases = undefined;
}
