import '../workspace/workspace.css';
import './supervisor.css';
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { localSession, type Session } from '../workspace/session.ts';
import { SignIn } from '../workspace/sign-in.tsx';
import { Supervisor } from './supervisor.tsx';

function App() {
  const [session, setSession] = useState<Session>();
  return session ? (
    <Supervisor session={session} />
  ) : (
    <SignIn
      title="Supervisor view"
      label="Supervisor ID"
      onSignIn={(id) => setSession(localSession(id, ['supervisors']))}
    />
  );
}

const root = document.getElementById('supervisor');
if (root) render(<App />, root);
