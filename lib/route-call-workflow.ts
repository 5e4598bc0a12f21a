import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FunctionEntry, Trigger } from '../functions/manifest/index.ts';
import { acknowledgeWildcardResource } from './nag.ts';

const ASL_FILE = fileURLToPath(new URL('../statemachines/route-call.asl.json', import.meta.url));

type WorkflowTask = FunctionEntry<Extract<Trigger, { type: 'workflow' }>>;

/** `${OfferToAgentFunctionArn}` in the ASL is filled with the function of the `OfferToAgent` task. */
const substitutionKeyOf = (task: WorkflowTask): string => `${task.trigger.state}FunctionArn`;

export interface RouteCallWorkflowProps {
  tasks: { task: WorkflowTask; function: lambda.IFunction }[];
}

/**
 * The Standard state machine that routes one call, from `statemachines/route-call.asl.json` — the same file
 * the local runtime runs. Each task function is substituted by ARN, so the ASL carries no account details.
 */
export class RouteCallWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RouteCallWorkflowProps) {
    super(scope, id);
    const definition = readFileSync(ASL_FILE, 'utf8');
    const substitutions = Object.fromEntries(
      props.tasks.map(({ task, function: fn }) => [substitutionKeyOf(task), fn.functionArn]),
    );
    assertPlaceholdersMatch(definition, Object.keys(substitutions));

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(definition),
      definitionSubstitutions: substitutions,
      // Every event, but no execution data: inputs and outputs carry task tokens and callers' numbers.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // Unqualified ARNs only: the ASL never invokes a version or alias, so no `:*` is needed.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: props.tasks.map(({ function: fn }) => fn.functionArn),
      }),
    );

    acknowledgeWildcardResource(
      this,
      '*',
      'Log delivery (logs:CreateLogDelivery and related) and X-Ray (xray:PutTraceSegments and related) support no resource-level permissions.',
    );
  }
}

/** Fails the synth, not the deployment, when the ASL and the catalog disagree on the task states. */
function assertPlaceholdersMatch(definition: string, keys: string[]): void {
  const placeholders = new Set([...definition.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
  const missing = [...placeholders].filter((p) => p !== undefined && !keys.includes(p));
  const unused = keys.filter((k) => !placeholders.has(k));
  if (missing.length > 0 || unused.length > 0) {
    throw new Error(
      `statemachines/route-call.asl.json and the catalog's workflow tasks disagree: no task for ${missing.join(', ') || '—'}; no placeholder for ${unused.join(', ') || '—'}`,
    );
  }
}
