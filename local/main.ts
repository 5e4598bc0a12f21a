import { settingsFromEnvironment } from '../functions/manifest/index.ts';
import { DEMO_AGENTS, registerDemoAgents } from './demo-agents.ts';
import { MACHINE_LAMBDA_ENVIRONMENTS, startLocalStack } from './stack.ts';

/**
 * `npm start`: the whole product on this machine. Settings come from the environment (see the README's
 * configuration table).
 */
function numberFrom(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (name === 'PORT' ? 0 : 1)) {
    process.stderr.write(`${name} must be a whole number, got "${raw}"\n`);
    process.exit(2);
  }
  return value;
}

// The same validation the functions run at cold start, so a bad setting fails here, clearly, at once.
let settings: ReturnType<typeof settingsFromEnvironment>;
try {
  settings = settingsFromEnvironment(process.env);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
const mode = settings.interactionMode;

const stack = await startLocalStack({
  ...settings,
  port: numberFrom('PORT') ?? 3000,
  host: process.env.HOST || '127.0.0.1',
  sweepIntervalSeconds: numberFrom('SWEEP_INTERVAL_SECONDS') ?? 10,
  lambdaEnvironments: numberFrom('LAMBDA_ENVIRONMENTS') ?? MACHINE_LAMBDA_ENVIRONMENTS,
  ...(process.env.CCAAS_WEBHOOK_SECRET ? { webhookSecret: process.env.CCAAS_WEBHOOK_SECRET } : {}),
  ...(process.env.DATA_DIR ? { dataDir: process.env.DATA_DIR } : {}),
  ...(process.env.CCAAS_WEBHOOK_URL ? { ccaasWebhookUrl: process.env.CCAAS_WEBHOOK_URL } : {}),
});

await registerDemoAgents(stack.url);

process.stdout.write(
  [
    'Call resiliency is running on this machine.',
    `  Agent workspace   ${stack.url}/`,
    `  Demo agents       ${DEMO_AGENTS.map((a) => a.agentId).join(', ')} (queue ${DEMO_AGENTS[0].queues[0]}): sign in to the workspace as one`,
    `  Supervisor view   ${stack.url}/supervisor`,
    `  CCaaS simulator   ${stack.url}/simulator (local only: places calls, sends their events, shows our webhooks)`,
    `  REST API          ${stack.url}/v1`,
    `  Agent WebSocket   ${stack.wsUrl}?token=<JWT from POST ${stack.url}/dev/token {"agentId":"..."}>`,
    `  Fault switch      PUT ${stack.url}/dev/faults {"interactionStore":"down"|"up"}`,
    `  Interaction mode  ${mode}`,
    `  Storage           ${process.env.DATA_DIR ? `on disk in ${process.env.DATA_DIR}` : 'in memory'}`,
    `  CCaaS signing secret (Standard Webhooks): ${stack.webhookSecret}`,
    `  CCaaS webhooks    ${process.env.CCAAS_WEBHOOK_URL || `to the CCaaS simulator page (CCAAS_WEBHOOK_URL sends them elsewhere, e.g. to npm run ccaas -- listen)`}`,
    `  Dead letters      GET ${stack.url}/v1/dead-letters (npm run redrive sends the webhooks again)`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: shutting down...\n`);
  await stack.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
