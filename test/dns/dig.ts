// Running the real dig against our server and reading its output back into data.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DigResult {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
  additional: string[];
  /** The OPT pseudo-section lines ("; EDNS: version: 0, flags:; udp: 1232"), when present. */
  edns: string[];
  raw: string;
}

export async function dig(
  port: number,
  qname: string,
  qtype: string,
  extra: readonly string[] = [],
): Promise<DigResult> {
  const args = [
    '@127.0.0.1',
    '-p',
    String(port),
    '+noall',
    '+comments',
    '+answer',
    '+authority',
    '+additional',
    '+tries=1',
    '+time=3',
    '+nocookie',
    ...extra,
    '-t',
    qtype,
    '-q',
    qname,
  ];
  const { stdout } = await run('dig', args, { timeout: 20_000 });
  return parseDig(stdout);
}

export function parseDig(out: string): DigResult {
  const r: DigResult = { status: '', flags: [], answer: [], authority: [], additional: [], edns: [], raw: out };
  let section: 'answer' | 'authority' | 'additional' | 'opt' | undefined;
  for (const line of out.split('\n')) {
    const status = /status: (\w+)/.exec(line);
    if (status) r.status = status[1]!;
    const flags = /^;; flags: ([^;]*);/.exec(line);
    if (flags) r.flags = flags[1]!.trim().split(/\s+/);
    if (line.startsWith(';; ANSWER SECTION')) section = 'answer';
    else if (line.startsWith(';; AUTHORITY SECTION')) section = 'authority';
    else if (line.startsWith(';; ADDITIONAL SECTION')) section = 'additional';
    else if (line.startsWith(';; OPT PSEUDOSECTION')) section = 'opt';
    else if (section === 'opt' && line.startsWith('; ')) r.edns.push(line);
    else if (section && section !== 'opt' && line.trim() !== '' && !line.startsWith(';'))
      r[section].push(line.trim().split(/\s+/).join(' '));
  }
  return r;
}
