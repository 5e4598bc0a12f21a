/**
 * What a deployment tells its pages, at `/config.json`: locally "local" (the runtime's dev sign-in, REST and
 * the socket on the page's own origin); on AWS where the APIs are and how to sign in with Cognito (written
 * by the CDK app when it deploys the pages).
 */
export type PagesConfig = { mode: 'local' } | HostedConfig;

export interface HostedConfig {
  mode: 'cognito';
  /** The HTTP API's origin, without a trailing slash: `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  restApiUrl: string;
  /** The agents' socket: `wss://def.execute-api.eu-west-1.amazonaws.com/live`. */
  webSocketUrl: string;
  cognito: CognitoConfig;
}

export interface CognitoConfig {
  region: string;
  userPoolId: string;
  /** The app client: public, authorization code with PKCE. */
  clientId: string;
  /** The managed login domain: `https://<prefix>.auth.<region>.amazoncognito.com`. */
  domain: string;
  /** Where Cognito sends the workspace back; each page comes back to its own path on that origin. */
  redirectUri: string;
}

/** Where the pages find it, on their own origin. */
export const CONFIG_PATH = '/config.json';

export async function loadConfig(): Promise<PagesConfig> {
  const res = await fetch(CONFIG_PATH);
  if (!res.ok) throw new Error(`${CONFIG_PATH}: ${res.status}`);
  return (await res.json()) as PagesConfig;
}
