import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildWebPages, contentSecurityPolicy, HOSTED_PAGES, pageKey } from '../web/build.ts';
import { CONFIG_PATH, type HostedConfig } from '../web/shared/config.ts';
import { builtHere, PROJECT_ROOT } from './handler-function.ts';
import { acknowledgeWildcardResource } from './nag.ts';

export interface WebHostingProps {
  /** Where the pages may connect besides their own origin: the APIs' origins and the sign-in domain. */
  connectTo: string[];
}

/**
 * The pages on AWS: a private bucket that CloudFront alone reads (origin access control), served over HTTPS
 * with a content security policy, the workspace at `/` and the supervisor view at `/supervisor`. The pages
 * are the very build the local runtime serves (web/build.ts), HOSTED_PAGES only: a local-only page never
 * reaches the bucket. `deploy` puts them there with the deployment's `/config.json`.
 */
export class WebHosting extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** The site's URL, `https://<distribution>.cloudfront.net/`: the workspace. */
  readonly url: string;
  /** The URL of each hosted page: where Cognito may send people back after sign-in and sign-out. */
  readonly pageUrls: string[];
  private readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Nothing here but the build: the deployment deletes its files with the stack, then the bucket goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds the public build of the pages, read by CloudFront alone; every request for data goes to the APIs, whose access logs record it.',
    });

    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment:
        'The pages: CSP (script and style from the site, connections to the APIs and the sign-in), HSTS',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(props.connectTo),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    // A page's path to its object (`/supervisor` → `/supervisor.html`); any other path is asked of the
    // bucket as it is, which answers 403 for a key it does not hold.
    const pagePaths = new cloudfront.Function(this, 'PagePaths', {
      comment: 'Serves each page at its path',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(pagePathsFunction()),
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Agent workspace and supervisor view',
      defaultRootObject: pageKey({ path: '/' }),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        functionAssociations: [
          { eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: pagePaths },
        ],
      },
    });
    const acknowledge = (id: string, reason: string) =>
      Validations.of(this.distribution).acknowledge({ id, reason });
    acknowledge(
      'AwsSolutions-CFR1',
      'Agents and supervisors work from wherever the contact center has staff; the pages are public code, the data behind them needs a Cognito sign-in.',
    );
    acknowledge(
      'AwsSolutions-CFR2',
      'The distribution serves static files only; the APIs behind the sign-in are where requests could do harm. A web ACL is a per-deployment cost to decide (docs/operations.md).',
    );
    acknowledge(
      'AwsSolutions-CFR3',
      'The distribution serves the same public files to everyone; who does what is in the APIs’ access logs.',
    );
    acknowledge(
      'AwsSolutions-CFR4',
      'The distribution uses the default cloudfront.net certificate, on which CloudFront allows no minimum TLS version to be set; a custom domain with its own certificate sets TLSv1.2_2021 (docs/operations.md).',
    );
    this.url = `https://${this.distribution.distributionDomainName}/`;
    this.pageUrls = HOSTED_PAGES.map((page) => `${this.url}${page.path.slice(1)}`);
  }

  /**
   * Puts the pages in the bucket with the deployment's `/config.json` (written at deploy time, from the
   * stack's tokens), and deletes what the build no longer has. Every file is `no-cache`: the browser asks
   * again each time (a 304 when nothing changed), and CloudFront keeps it for its cache policy's minimum
   * of a second, so a deployment is seen at the next load without an invalidation (nor the right to make
   * one on every distribution, which is how BucketDeployment grants it).
   */
  deploy(config: HostedConfig): void {
    const deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [pagesAsset(), s3deploy.Source.jsonData(CONFIG_PATH.slice(1), config)],
      destinationBucket: this.bucket,
      cacheControl: [s3deploy.CacheControl.noCache()],
      retainOnDelete: false,
    });
    // BucketDeployment brings its own function (AWS's, shared by every deployment of the stack), with its
    // role: what cdk-nag finds there is CDK's to change, not ours.
    const handler = deployment.handlerRole.node.scope;
    if (!handler) throw new Error('the BucketDeployment role has no function');
    const acknowledge = (id: string, reason: string) => Validations.of(handler).acknowledge({ id, reason });
    acknowledge(
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "BucketDeployment's function writes its logs with AWSLambdaBasicExecutionRole, which CDK attaches; it runs only while the stack deploys.",
    );
    // cdk-nag names each wildcard of its policy: acknowledged one by one, from the policy itself, its S3
    // ones only (a grant on "*" would be new, and is for the infra tests to catch).
    const wildcards =
      "CDK grants BucketDeployment's function reads of the CDK assets bucket and writes to the pages bucket with its grant helpers' wildcards (s3:GetObject*, <bucket>/*): one bucket's objects each, as copying a folder needs.";
    const policy = deployment.handlerRole.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    for (const statement of policy?.document.toJSON().Statement ?? []) {
      for (const action of [statement.Action].flat().filter((a: string) => /^s3:\w+\*$/.test(a))) {
        acknowledge(`AwsSolutions-IAM5[Action::${action}]`, wildcards);
      }
      const resources: string[] = [statement.Resource].flat();
      const ofObjects = (r: string) => JSON.stringify(Stack.of(this).resolve(r)).includes('/*"');
      for (const resource of resources.filter(ofObjects)) {
        acknowledgeWildcardResource(handler, resource, wildcards);
      }
    }
    acknowledge(
      'AwsSolutions-L1',
      "BucketDeployment's function is CDK's, on the Python runtime CDK pins and moves forward with its releases.",
    );
  }
}

/** The viewer-request function that maps each hosted page's path to its object in the bucket. */
function pagePathsFunction(): string {
  const keys = Object.fromEntries(HOSTED_PAGES.map((page) => [page.path, `/${pageKey(page)}`]));
  return `var PAGES = ${JSON.stringify(keys)};
function handler(event) {
  var request = event.request;
  var key = PAGES[request.uri];
  if (key) request.uri = key;
  return request;
}
`;
}

/** The hosted pages, built as the CDK app synthesizes (as the functions are bundled), as bucket files. */
const pagesAsset = () =>
  s3deploy.Source.asset(
    join(PROJECT_ROOT, 'web'),
    builtHere((outputDir) => {
      for (const file of buildWebPages(HOSTED_PAGES)) {
        const to = join(outputDir, file.key);
        mkdirSync(dirname(to), { recursive: true });
        writeFileSync(to, file.body);
      }
    }),
  );
