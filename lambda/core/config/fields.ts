/** Field rules that several sections share, so one wording serves every place a percentage or an id is asked for. */
// Named imports: `z` drags every zod locale into the Lambda bundle (444 KB instead of ~95 KB).
import { boolean, int, number, string } from 'zod';

export const percent = number()
  .finite()
  .min(0, { error: 'must be a percentage from 0 to 100' })
  .max(100, { error: 'must be a percentage from 0 to 100' });

export const nonBlank = (what: string) =>
  string()
    .min(1, { error: `must be a non-empty ${what}` })
    .refine((s) => s.trim() === s && !/\s/.test(s), { error: `must be a ${what} without spaces` });

export const onOff = boolean({ error: 'must be true or false' });

/** A whole UTC hour, 0 to 23 (when a scheduled function runs). */
export const hourUtc = int({ error: 'must be a whole hour' })
  .min(0, { error: 'must be an hour from 0 to 23 (UTC)' })
  .max(23, { error: 'must be an hour from 0 to 23 (UTC)' });
