/**
 * cdk-nag v3 acknowledges each wildcard finding by its exact id, which embeds the CloudFormation reference
 * the way cdk-nag flattens it (`Resource::<CallsTable1234.Arn>/index/*`). Computing the id from the very
 * token the grant used keeps each acknowledgment next to its grant and correct when logical ids change.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/** Acknowledges `AwsSolutions-IAM5` for one wildcard resource granted to `scope` (or its descendants). */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const flat = flattenCfnReference(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}
