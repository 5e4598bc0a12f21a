/**
 * Who is signed in, and how the page speaks for them: a token for the socket (a fresh one on every
 * connect, as the agent client asks) and the staff REST reads an agent may make on its own call. Locally the
 * token comes from the runtime's dev issuer (`POST /dev/token`, same origin); on AWS it will be Cognito's.
 */
export interface Session {
  agentId: string;
  /** A new token; the REST reads use the latest one. */
  token(): Promise<string>;
  /** A REST read as this agent: the parsed body, or an error naming the status. */
  get<T>(path: string): Promise<T>;
}

/** The agent socket of the origin the page came from. */
export function socketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/**
 * Whoever types an id is that person: the local runtime's dev sign-in, for an agent by default (the
 * supervisor view asks for `['supervisors']`).
 */
export function localSession(agentId: string, groups?: readonly string[]): Session {
  let latest: Promise<string> | undefined;
  const token = () => {
    latest = (async () => {
      const res = await fetch('/dev/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agentId, ...(groups ? { groups } : {}) }),
      });
      if (!res.ok) throw new Error(`sign-in refused (${res.status})`);
      return ((await res.json()) as { token: string }).token;
    })();
    return latest;
  };
  return {
    agentId,
    token,
    async get<T>(path: string) {
      const res = await fetch(path, { headers: { authorization: `Bearer ${await (latest ?? token())}` } });
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      return (await res.json()) as T;
    },
  };
}
