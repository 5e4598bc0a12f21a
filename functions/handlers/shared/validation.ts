import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { RequestError } from './errors.ts';

// Messages in English, as the API documents them: zod/mini, unlike zod, loads no locale by itself.
z.config(en());

/** Parses JSON text; 400 BAD_JSON when it is not JSON. */
export function parseJsonText(text: string | undefined | null): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    throw new RequestError(400, 'BAD_JSON', 'the body is not valid JSON');
  }
}

/**
 * Validates data against a schema; 422 VALIDATION_FAILED with one message per field otherwise. `name` is
 * the field's name when the data is a single value (a path parameter).
 */
export function validate<S extends z.ZodMiniType>(schema: S, data: unknown, name = '(root)'): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({
    path: i.path.join('.') || name,
    message: i.message,
  }));
  throw new RequestError(
    422,
    'VALIDATION_FAILED',
    details.map((d) => `${d.path}: ${d.message}`).join('; '),
    details,
  );
}
