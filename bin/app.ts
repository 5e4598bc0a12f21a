/**
 * The CDK app: one stack, checked by cdk-nag's AWS Solutions rules on every synth. Acknowledged findings
 * live next to the resources they concern (lib/), each with its reason.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CallResiliencyStack } from '../lib/call-resiliency-stack.ts';
import {
  alarmEmailFromContext,
  ccaasWebhookUrlFromContext,
  routingConfigFromContext,
  signInConfigFromContext,
} from '../lib/config.ts';

const app = new App();

// Placeholders keep `cdk synth` working offline; `cdk deploy` resolves the real ones from credentials.
const env = {
  account: process.env.CDK_DEFAULT_ACCOUNT ?? '000000000000',
  region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
};
const stackName = 'CallResiliency';

new CallResiliencyStack(app, stackName, {
  env,
  routing: routingConfigFromContext(app.node),
  setApiGatewayCloudWatchRole: app.node.tryGetContext('apiGatewayCloudWatchRole') !== 'existing',
  ccaasWebhookUrl: ccaasWebhookUrlFromContext(app.node),
  alarmEmail: alarmEmailFromContext(app.node),
  signIn: signInConfigFromContext(app.node, { stackName, account: env.account }),
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
