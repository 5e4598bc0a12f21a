import '../workspace/workspace.css';
import './supervisor.css';
import { render } from 'preact';
import { SignedIn } from '../workspace/sign-in.tsx';
import { Supervisor } from './supervisor.tsx';

const root = document.getElementById('supervisor');
if (root) {
  render(
    <SignedIn title="Supervisor view" label="Supervisor ID" groups={['supervisors']}>
      {(session) => <Supervisor session={session} />}
    </SignedIn>,
    root,
  );
}
