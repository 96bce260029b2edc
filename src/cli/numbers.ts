// Number flags shared by commands: one wording for every "must be an integer" error.
import { UsageError } from '../errors.js';

export function intFlag(flag: string, value: unknown, min: number): number {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isInteger(n) || n < min)
    throw new UsageError(`${flag}: ${JSON.stringify(value)} must be an integer >= ${min}`);
  return n;
}

export function intListFlag(flag: string, value: unknown): number[] {
  const parts = String(value).split(',');
  const out = parts.map((s) => Number(s.trim()));
  if (typeof value !== 'string' || parts.some((s) => s.trim() === '') || out.some((n) => !Number.isInteger(n) || n < 1))
    throw new UsageError(`${flag}: ${JSON.stringify(value)} must be positive integers, comma-separated`);
  return out;
}
