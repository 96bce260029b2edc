// Terminal I/O helpers for commands: the only place (with the command files) that prints.
import { writeFile } from 'node:fs/promises';
import type { ManifestWarning } from '../cluster/validate/index.js';
import { formatLocation } from '../errors.js';

export function printWarnings(warnings: readonly ManifestWarning[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${formatLocation(w.at)}: ${w.message}\n`);
}

/** What the control plane could not make render (control/warnings.ts, endpoint-slices.ts). */
export function printControlWarnings(warnings: readonly { object: string; field: string; message: string }[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${w.object}: ${w.field}: ${w.message}\n`);
}

export async function writeOutput(text: string, out?: string): Promise<void> {
  if (out && out !== '-') await writeFile(out, text);
  else await new Promise<void>((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
}

/** A progress line on stderr, shown only on a terminal (quiet when piped). */
export function progress(label: string): { update(done: number, total: number): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return {
    update(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      process.stderr.write(`\r${label}: ${done}/${total}`);
    },
    end() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

/** commander collector for repeatable options (-f a -f b). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
