// A data directory that does not exist yet holds nothing: listing it is not an error.
import { readdirSync } from 'node:fs';

export function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
