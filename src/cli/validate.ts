import type { Command } from 'commander';
import { collect, writeOutput } from './io.js';
import { STORE_FLAG, STORE_HELP } from './store-input.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('load and validate manifests; print object counts per kind')
    .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
    .option(STORE_FLAG, STORE_HELP)
    .option('--json', 'print counts as JSON')
    .action(async (opts: { file?: string[]; store?: string; json?: boolean }) => {
      const { loadObjects } = await import('./store-input.js');
      const loaded = await loadObjects(opts);
      if (opts.json) {
        await writeOutput(
          `${JSON.stringify({ counts: loaded.counts, skipped: loaded.skipped, mirroredEndpoints: loaded.mirroredEndpoints, warnings: loaded.warnings.length }, null, 2)}\n`,
        );
        return;
      }
      const lines = Object.entries(loaded.counts)
        .sort()
        .map(([k, n]) => `${k.padEnd(24)} ${n}`);
      for (const [k, n] of Object.entries(loaded.skipped).sort()) lines.push(`${`${k} (skipped)`.padEnd(24)} ${n}`);
      if (loaded.mirroredEndpoints > 0)
        lines.push(`(${loaded.mirroredEndpoints} legacy Endpoints converted to EndpointSlices)`);
      lines.push(`valid: ${loaded.objects.length} objects from ${loaded.files.length} file(s)`);
      await writeOutput(`${lines.join('\n')}\n`);
    });
}
