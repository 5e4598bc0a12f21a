import './workspace.css';
import { render } from 'preact';
import { SignedIn } from './sign-in.tsx';
import { Workspace } from './workspace.tsx';

const root = document.getElementById('workspace');
if (root) {
  render(
    <SignedIn title="Agent workspace" label="Agent ID">
      {(session) => <Workspace session={session} />}
    </SignedIn>,
    root,
  );
}
