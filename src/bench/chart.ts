// The bench report as an SVG chart (pure: report in, SVG text out). Left: full-sync render time and
// the kernel's plain apply time against cluster size, per mode (and the Go peer when measured).
// Right: the cost of a partial sync after one service / one endpoint / 1 % of services changed.
// Both axes are log scale: sizes and times span decades.
import type { ProxyBenchCase, ProxyBenchReport, SyncKind } from './proxy.js';

interface Series {
  label: string;
  color: string;
  dash?: string;
  points: [number, number][];
}

const COLORS: Record<string, string> = {
  iptables: '#1f77b4',
  nftables: '#d62728',
  ipvs: '#2ca02c',
  userspace: '#9467bd',
};
const W = 460;
const H = 320;
const PAD = { left: 58, right: 12, top: 34, bottom: 44 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

function fmt(v: number): string {
  if (v >= 1000) return `${v / 1000}k`;
  return String(v);
}

function panel(title: string, yLabel: string, series: Series[], x0: number): string {
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  if (pts.length === 0)
    return `<text x="${x0 + W / 2}" y="${H / 2}" text-anchor="middle">${esc(title)}: no data</text>`;
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const xt = decades(Math.min(...xs), Math.max(...xs));
  const yt = decades(Math.min(...ys), Math.max(...ys));
  const [xl, xh] = [Math.log10(xt[0]!), Math.log10(xt[xt.length - 1]!) || 1];
  const [yl, yh] = [Math.log10(yt[0]!), Math.log10(yt[yt.length - 1]!)];
  const px = (x: number) => x0 + PAD.left + ((Math.log10(x) - xl) / (xh - xl || 1)) * (W - PAD.left - PAD.right);
  const py = (y: number) => PAD.top + (1 - (Math.log10(y) - yl) / (yh - yl || 1)) * (H - PAD.top - PAD.bottom);
  const out: string[] = [];
  out.push(`<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`);
  for (const t of yt) {
    const y = py(t).toFixed(1);
    out.push(`<line x1="${x0 + PAD.left}" x2="${x0 + W - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${x0 + PAD.left - 4}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`);
  }
  for (const t of xt) {
    const x = px(t).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#ddd"/>`);
    out.push(`<text x="${x}" y="${H - PAD.bottom + 14}" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(`<text x="${x0 + W / 2}" y="${H - 8}" text-anchor="middle">services (log)</text>`);
  out.push(
    `<text transform="translate(${x0 + 14} ${H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)} (log)</text>`,
  );
  const shown = series.filter((s) => s.points.some(([x, y]) => x > 0 && y > 0));
  const longest = Math.max(...shown.map((s) => s.label.length));
  out.push(
    `<rect x="${x0 + PAD.left + 4}" y="${PAD.top - 3}" width="${30 + longest * 5.6}" height="${shown.length * 12 + 10}" fill="#fff" fill-opacity="0.85" stroke="#ccc"/>`,
  );
  shown.forEach((s, i) => {
    const p = s.points.filter(([x, y]) => x > 0 && y > 0).sort((a, b) => a[0] - b[0]);
    if (p.length === 0) return;
    const d = p.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of p)
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    const ly = PAD.top + 4 + i * 12;
    const lx = x0 + PAD.left + 8;
    out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 22}" y="${ly}" dominant-baseline="middle">${esc(s.label)}</text>`);
  });
  return out.join('\n');
}

function pointsOf(
  cases: readonly ProxyBenchCase[],
  mode: string,
  sync: SyncKind,
  y: (c: ProxyBenchCase) => number | null | undefined,
): [number, number][] {
  const out: [number, number][] = [];
  for (const c of cases) {
    if (c.mode !== mode || c.sync !== sync) continue;
    const v = y(c);
    if (typeof v === 'number') out.push([c.services, v]);
  }
  return out;
}

const PARTIAL_DASH: Record<string, string | undefined> = {
  'partial-service': undefined,
  'partial-endpoint': '6 3',
  'partial-1pct': '2 2',
};

export function benchChart(report: ProxyBenchReport): string {
  const modes = [...new Set(report.cases.map((c) => c.mode))];
  const color = (m: string) => COLORS[m] ?? '#555';
  const full: Series[] = [];
  for (const m of modes) {
    full.push({
      label: `${m} render`,
      color: color(m),
      points: pointsOf(report.cases, m, 'full', (c) => c.renderMsMedian),
    });
    const k = pointsOf(report.cases, m, 'full', (c) => c.kernelApplyMsMedian);
    if (k.length) full.push({ label: `${m} kernel apply`, color: color(m), dash: '6 3', points: k });
  }
  const go = report.peer?.cases.map((c): [number, number] => [c.services, Math.min(c.coldMsMedian, c.warmMsMedian)]);
  if (go?.length) full.push({ label: 'Go kube-proxy v1.13 render (theirs)', color: '#000', dash: '2 2', points: go });
  const partial: Series[] = [];
  for (const m of modes)
    for (const sync of ['partial-service', 'partial-endpoint', 'partial-1pct'] as const) {
      const p = pointsOf(report.cases, m, sync, (c) => c.renderMsMedian);
      const dash = PARTIAL_DASH[sync];
      if (p.length)
        partial.push({ label: `${m} ${sync.slice(8)}`, color: color(m), ...(dash ? { dash } : {}), points: p });
    }
  const machine = `${report.machine.cpus} x ${report.machine.cpuModel}, kernel ${report.machine.kernel}, node ${report.node}, ${report.date.slice(0, 16)}Z; medians of ${report.repeat} runs`;
  const command = report.command ?? 'kubeplane bench';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 34}" viewBox="0 0 ${2 * W} ${H + 34}" font-family="sans-serif" font-size="10">`,
    '<rect width="100%" height="100%" fill="#fff"/>',
    panel('full sync: render and kernel apply', 'ms', full, 0),
    panel('partial sync render', 'ms', partial, W),
    `<text x="${W}" y="${H + 12}" text-anchor="middle" fill="#555">${esc(command)}</text>`,
    `<text x="${W}" y="${H + 27}" text-anchor="middle" fill="#555">${esc(machine)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
