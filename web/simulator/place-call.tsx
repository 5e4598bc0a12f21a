import { useState } from 'preact/hooks';
import type { useSimulator } from './use-simulator.ts';

interface SkillRow {
  skill: string;
  minLevel: string;
}

/**
 * A new inbound call, as the CCaaS reports it: caller, queue, and optionally the number called, a priority
 * and the skills it needs. Our API judges the values; its refusal shows as the page's outcome.
 */
export function PlaceCall({ post }: { post: ReturnType<typeof useSimulator>['post'] }) {
  const [from, setFrom] = useState('+15551230000');
  const [to, setTo] = useState('');
  const [queue, setQueue] = useState('support');
  const [priority, setPriority] = useState('');
  const [skills, setSkills] = useState<SkillRow[]>([]);
  const setSkill = (index: number, change: Partial<SkillRow>) =>
    setSkills((rows) => rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const place = () =>
    post(
      '/dev/ccaas/calls',
      {
        from: from.trim(),
        queue: queue.trim(),
        ...(to.trim() ? { to: to.trim() } : {}),
        ...(priority !== '' ? { priority: Number(priority) } : {}),
        ...(skills.length
          ? {
              requiredSkills: skills.map((s) => ({
                skill: s.skill.trim(),
                ...(s.minLevel !== '' ? { minLevel: Number(s.minLevel) } : {}),
              })),
            }
          : {}),
      },
      (answer) => `Call ${answer.callId} placed (${answer.status})`,
    );
  return (
    <form
      class="card place-call"
      aria-labelledby="place-heading"
      onSubmit={(e) => {
        e.preventDefault();
        void place();
      }}
    >
      <h2 id="place-heading">Place a call</h2>
      <div class="actions">
        <label>
          From
          <input required value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          To (optional)
          <input value={to} placeholder="+15550100000" onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <label>
          Queue
          <input required value={queue} onInput={(e) => setQueue(e.currentTarget.value)} />
        </label>
        <label>
          Priority (0–10, optional)
          <input
            type="number"
            min={0}
            max={10}
            step={1}
            value={priority}
            onInput={(e) => setPriority(e.currentTarget.value)}
          />
        </label>
      </div>
      {skills.map((row, i) => (
        // Rows are controlled inputs, added at the end and removed by index: the index is their identity.
        <div class="actions" key={i}>
          <label>
            Required skill {i + 1}
            <input
              required
              value={row.skill}
              onInput={(e) => setSkill(i, { skill: e.currentTarget.value })}
            />
          </label>
          <label>
            Minimum level {i + 1} (1–5, optional)
            <input
              type="number"
              min={1}
              max={5}
              step={1}
              value={row.minLevel}
              onInput={(e) => setSkill(i, { minLevel: e.currentTarget.value })}
            />
          </label>
          <button type="button" onClick={() => setSkills((rows) => rows.filter((_, j) => j !== i))}>
            Remove skill {i + 1}
          </button>
        </div>
      ))}
      <div class="actions">
        <button type="button" onClick={() => setSkills((rows) => [...rows, { skill: '', minLevel: '' }])}>
          Add a required skill
        </button>
        <button type="submit" class="primary">
          Place call
        </button>
      </div>
    </form>
  );
}
