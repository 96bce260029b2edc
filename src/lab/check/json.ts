// The lab check's rows as JSON (`lab check --json`): plain objects, maps as records.
import type { CheckRow } from './run.js';

export function checkJson(rows: readonly CheckRow[]) {
  return {
    agree: rows.every((r) => r.comparison.agree),
    targets: rows.map((r) => ({
      servicePort: r.target.servicePort,
      protocol: r.target.protocol,
      kind: r.target.kind,
      target: `${r.target.ip}:${r.target.port}`,
      emulator: {
        split: Object.fromEntries(r.predicted.split),
        sticky: r.predicted.sticky,
        masquerade: r.predicted.masquerade,
      },
      kernel: {
        counts: Object.fromEntries(r.observed.counts),
        masqueraded: r.observed.masqueraded,
        kept: r.observed.kept,
      },
      chiSquareP: r.comparison.chiSquareP,
      agree: r.comparison.agree,
      problems: r.comparison.problems,
    })),
  };
}
