import './workspace.css';
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { localSession, type Session } from './session.ts';
import { SignIn } from './sign-in.tsx';
import { Workspace } from './workspace.tsx';

function App() {
  const [session, setSession] = useState<Session>();
  return session ? (
    <Workspace session={session} />
  ) : (
    <SignIn title="Agent workspace" label="Agent ID" onSignIn={(id) => setSession(localSession(id))} />
  );
}

const root = document.getElementById('workspace');
if (root) render(<App />, root);
