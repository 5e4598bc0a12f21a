import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nag.ts';

/**
 * The role API Gateway writes WebSocket access logs with, set as the account's (`AWS::ApiGateway::Account`,
 * one per account and region). Its permissions are those of AWS's AmazonAPIGatewayPushToCloudWatchLogs,
 * inline and limited to this account's log groups in this region. Both are kept when the stack is deleted:
 * another stack of the account may log with them.
 */
export class ApiGatewayCloudWatchRole extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroups = stack.formatArn({ service: 'logs', resource: '*' });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      inlinePolicies: {
        PushToCloudWatchLogs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: [
                'logs:CreateLogGroup',
                'logs:CreateLogStream',
                'logs:DescribeLogGroups',
                'logs:DescribeLogStreams',
                'logs:PutLogEvents',
                'logs:GetLogEvents',
                'logs:FilterLogEvents',
              ],
              resources: [logGroups],
            }),
          ],
        }),
      },
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    acknowledgeWildcardResource(
      this,
      logGroups,
      'API Gateway creates the access log streams of any API of the account in this region, as its managed policy allows.',
    );
  }
}
