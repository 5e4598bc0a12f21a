import { useState } from 'preact/hooks';

/**
 * Locally, signing in is saying who you are: the runtime's dev issuer signs a token for any id (the
 * workspace's agents, the supervisor view's supervisors).
 */
export function SignIn({
  title,
  label,
  onSignIn,
}: {
  title: string;
  label: string;
  onSignIn: (id: string) => void;
}) {
  const [id, setId] = useState('');
  return (
    <form
      class="card sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        if (id.trim()) onSignIn(id.trim());
      }}
    >
      <h1>{title}</h1>
      <label>
        {label}
        <input required autocomplete="username" value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">
        Sign in
      </button>
    </form>
  );
}
