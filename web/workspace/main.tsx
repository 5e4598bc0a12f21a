import './workspace.css';
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { localSession, type Session } from './session.ts';
import { Workspace } from './workspace.tsx';

/** Locally, signing in is saying who you are: the runtime's dev issuer signs a token for any agent id. */
function SignIn({ onSignIn }: { onSignIn: (agentId: string) => void }) {
  const [agentId, setAgentId] = useState('');
  return (
    <form
      class="card sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        if (agentId.trim()) onSignIn(agentId.trim());
      }}
    >
      <h1>Agent workspace</h1>
      <label>
        Agent ID
        <input
          required
          autocomplete="username"
          value={agentId}
          onInput={(e) => setAgentId(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="primary">
        Sign in
      </button>
    </form>
  );
}

function App() {
  const [session, setSession] = useState<Session>();
  return session ? (
    <Workspace session={session} />
  ) : (
    <SignIn onSignIn={(id) => setSession(localSession(id))} />
  );
}

const root = document.getElementById('workspace');
if (root) render(<App />, root);
