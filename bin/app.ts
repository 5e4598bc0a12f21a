/**
 * The CDK app: one stack, checked by cdk-nag's AWS Solutions rules on every synth. Acknowledged findings
 * live next to the resources they concern (lib/), each with its reason.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CallResiliencyStack } from '../lib/call-resiliency-stack.ts';
import { ccaasWebhookUrlFromContext, routingConfigFromContext } from '../lib/config.ts';

const app = new App();

new CallResiliencyStack(app, 'CallResiliency', {
  // Placeholders keep `cdk synth` working offline; `cdk deploy` resolves the real ones from credentials.
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT ?? '000000000000',
    region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
  },
  routing: routingConfigFromContext(app.node),
  webSocketAccessLogs: String(app.node.tryGetContext('webSocketAccessLogs')) === 'true',
  ccaasWebhookUrl: ccaasWebhookUrlFromContext(app.node),
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
