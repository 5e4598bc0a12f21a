import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { loadConfig, type PagesConfig } from '../shared/config.ts';
import { hostedSignIn, localSession, type Session } from './session.ts';

/**
 * The page until someone is signed in, then `children` with their session. `/config.json` says how:
 * locally, signing in is saying who you are (the runtime's dev issuer signs a token for any id: the
 * workspace's agents, the supervisor view's supervisors, `groups`); on AWS, "Sign in" goes to Cognito's
 * managed login and comes back with a code. Locally the tab remembers who signed in (sessionStorage), so a
 * reload, during a call too, signs in again and the snapshot restores the page.
 */
export function SignedIn({
  title,
  label,
  groups,
  children,
}: {
  title: string;
  label: string;
  groups?: readonly string[];
  children: (session: Session) => ComponentChildren;
}) {
  const [config, setConfig] = useState<PagesConfig>();
  const [session, setSession] = useState<Session>();
  const [problem, setProblem] = useState<string>();
  const hosted = useMemo(() => (config?.mode === 'cognito' ? hostedSignIn(config) : undefined), [config]);
  const remembered = `${title}: signed in as`;
  const signInLocally = (id: string) => {
    sessionStorage.setItem(remembered, id);
    setSession(
      localSession(id, groups, () => {
        sessionStorage.removeItem(remembered);
        setSession(undefined);
      }),
    );
  };
  useEffect(() => {
    loadConfig().then(setConfig, (err: Error) => setProblem(err.message));
  }, []);
  useEffect(() => {
    const id = config?.mode === 'local' ? sessionStorage.getItem(remembered) : null;
    if (id) signInLocally(id);
  }, [config]);
  useEffect(() => {
    hosted?.resume().then(setSession, (err: Error) => setProblem(err.message));
  }, [hosted]);

  if (session) return <>{children(session)}</>;
  return (
    <form
      class="card sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        if (hosted) void hosted.start();
        const id = new FormData(e.currentTarget).get('id');
        if (config?.mode === 'local' && typeof id === 'string' && id.trim()) signInLocally(id.trim());
      }}
    >
      <h1>{title}</h1>
      {problem && (
        <p role="alert" class="problem">
          {problem}
        </p>
      )}
      {config?.mode === 'local' && (
        <label>
          {label}
          <input name="id" required autocomplete="username" />
        </label>
      )}
      <button type="submit" class="primary" disabled={!config}>
        Sign in
      </button>
    </form>
  );
}

/** Ends the session: locally back to the sign-in form, on AWS through the managed login's sign-out. */
export function SignOut({ session }: { session: Session }) {
  return (
    <button type="button" onClick={() => session.signOut()}>
      Sign out
    </button>
  );
}
