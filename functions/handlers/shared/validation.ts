import type { z } from 'zod';
import { RequestError } from './errors.ts';

/** Parses JSON text and validates it; 400 for bad JSON, 422 with one message per field otherwise. */
export function parseJson<S extends z.ZodType>(schema: S, text: string | undefined | null): z.infer<S> {
  let data: unknown;
  try {
    data = JSON.parse(text ?? '');
  } catch {
    throw new RequestError(400, 'BAD_JSON', 'the body is not valid JSON');
  }
  return validate(schema, data);
}

export function validate<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({
    path: i.path.join('.') || '(root)',
    message: i.message,
  }));
  throw new RequestError(
    422,
    'VALIDATION_FAILED',
    details.map((d) => `${d.path}: ${d.message}`).join('; '),
    details,
  );
}
