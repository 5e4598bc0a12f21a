import { permissionsOf } from './access.ts';
import type { Access } from './catalog.ts';

/**
 * How a function is bundled, read by the CDK app (lib/handler-function.ts) and the local runtime
 * (local/bundle.ts) alike, so that a function runs locally the code it runs on AWS.
 *
 * No bundle carries the AWS SDK: its packages are imports (esbuild `external`), which one Lambda layer
 * answers for every function (lib/sdk-layer.ts).
 *
 * A bundle carries, or imports from the layer, only the parts its function's catalog access needs: the SDK
 * client of each AWS service it is granted actions in, and the JWT verifier if it verifies tokens. For each
 * part it leaves out:
 * - `import.meta.omits.<part>` is `true` (esbuild `define`), which the composition root
 *   (functions/handlers/shared/container.ts) reads to build none of the part's clients and adapters, so
 *   esbuild drops their code as dead;
 * - each of the part's packages is an empty module (esbuild `alias`, which esbuild applies before
 *   `external`): an SDK client the function has no grant for is then not even imported from the layer, and
 *   the packages that do not declare themselves free of side effects (lib-dynamodb, standardwebhooks) are
 *   not kept in every bundle that imports them, used or not.
 * Unbundled (a test importing a handler), every part is there.
 */

/** The parts a bundle may leave out, each with the packages that only its clients and adapters import. */
export const BUNDLE_PARTS = {
  dynamoDb: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'],
  stepFunctions: ['@aws-sdk/client-sfn'],
  eventBridge: ['@aws-sdk/client-eventbridge'],
  apiGatewayManagementApi: ['@aws-sdk/client-apigatewaymanagementapi'],
  /** The webhook signing secrets live in Secrets Manager (on AWS); standardwebhooks signs with them. */
  secretsManager: ['@aws-sdk/client-secrets-manager', 'standardwebhooks'],
  jwtVerifier: ['jose'],
  cognito: ['@aws-sdk/client-cognito-identity-provider'],
  sqs: ['@aws-sdk/client-sqs'],
} as const satisfies Record<string, readonly string[]>;
export type BundlePart = keyof typeof BUNDLE_PARTS;

/** The SDK client that the actions of an IAM service (`dynamodb:GetItem` → `dynamodb`) are called with. */
const CLIENT_OF_SERVICE: Readonly<Record<string, BundlePart>> = {
  dynamodb: 'dynamoDb',
  states: 'stepFunctions',
  events: 'eventBridge',
  'execute-api': 'apiGatewayManagementApi',
  secretsmanager: 'secretsManager',
  'cognito-idp': 'cognito',
  sqs: 'sqs',
};

/** The parts a function with this access needs: the clients of the services it is granted actions in. */
export function bundlePartsOf(access: readonly Access[]): Set<BundlePart> {
  const parts = new Set<BundlePart>();
  for (const action of permissionsOf(access).flatMap((p) => p.actions)) {
    const part = CLIENT_OF_SERVICE[action.split(':')[0] ?? ''];
    if (!part) throw new Error(`no SDK client is known for ${action}: add its service to bundling.ts`);
    parts.add(part);
  }
  // Cognito's key set is public: verifying a token is granted no action, only the verifier's code.
  if (access.includes('jwt:verify')) parts.add('jwtVerifier');
  return parts;
}

/**
 * The AWS SDK, as esbuild `external` patterns (`*`: any name), which no bundle carries: the layer holds the
 * packages of the project's dependencies that match, at the lockfile's version (the one the tests ran
 * against, rather than the Lambda runtime's own), with everything they depend on. The tracer goes with it:
 * it patches the SDK's clients, and its X-Ray SDK alone would weigh more than a bundle's budget.
 */
export const SDK_PACKAGES: readonly string[] = ['@aws-sdk/*', '@smithy/*', '@aws-lambda-powertools/tracer'];

/** Whether an import (`@aws-sdk/client-sfn`, `@smithy/core/protocols`) matches SDK_PACKAGES, as in esbuild. */
export function isSdkImport(specifier: string): boolean {
  return SDK_PACKAGES.some((pattern) => {
    const [prefix = '', suffix = ''] = pattern.split('*');
    return specifier.startsWith(prefix) && specifier.endsWith(suffix);
  });
}

/**
 * Packages the SDK loads only with a lazy `require()`, on paths no function takes, so the layer leaves them
 * out: every credential source but the environment, which the composition root gives each client (Lambda
 * puts the role's credentials there, and the local runtime each function's own), and what only those use.
 */
export const NEVER_LOADED: readonly string[] = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
  '@smithy/credential-provider-imds',
];

/** The module a bundle has in place of each package of a part it leaves out, relative to the project root. */
const LEFT_OUT_MODULE = 'functions/manifest/left-out.cjs';

/** esbuild options of one function's bundle, beyond those every bundle has. */
export interface BundleOptions {
  define: Record<string, string>;
  /** Package → file relative to the project root (as `handlerFile` is). */
  alias: Record<string, string>;
  external: string[];
}

export function bundleOptionsOf(access: readonly Access[]): BundleOptions {
  const carried = bundlePartsOf(access);
  const parts = Object.keys(BUNDLE_PARTS) as BundlePart[];
  return {
    define: Object.fromEntries(
      parts.map((part) => [`import.meta.omits.${part}`, String(!carried.has(part))]),
    ),
    alias: Object.fromEntries(
      parts
        .filter((part) => !carried.has(part))
        .flatMap((part) => BUNDLE_PARTS[part].map((name) => [name, LEFT_OUT_MODULE])),
    ),
    external: [...SDK_PACKAGES],
  };
}

/**
 * What a process warning of this type reports: a function called a port whose part its bundle leaves out,
 * which on AWS its role would refuse too. Lambda writes it to the function's log; the local runtime
 * reports it as a runtime error, as it reports a refused action.
 */
export const LEFT_OUT_WARNING = 'LeftOutOfBundle';
