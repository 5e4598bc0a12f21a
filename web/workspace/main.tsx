import './workspace.css';
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { localSession, type Session } from './session.ts';
import { SignIn } from './sign-in.tsx';
import { Workspace } from './workspace.tsx';

/** The tab's signed-in agent: a reload (during a call too) signs in again and the snapshot restores the page. */
const SIGNED_IN = 'workspace.agentId';

function App() {
  const [session, setSession] = useState<Session | undefined>(() => {
    const agentId = sessionStorage.getItem(SIGNED_IN);
    return agentId ? localSession(agentId) : undefined;
  });
  return session ? (
    <Workspace session={session} />
  ) : (
    <SignIn
      title="Agent workspace"
      label="Agent ID"
      onSignIn={(id) => {
        sessionStorage.setItem(SIGNED_IN, id);
        setSession(localSession(id));
      }}
    />
  );
}

const root = document.getElementById('workspace');
if (root) render(<App />, root);
