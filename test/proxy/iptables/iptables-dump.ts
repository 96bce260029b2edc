// Test helpers over iptables-restore text, after upstream's proxier_test.go: sortIPTablesRules
// (normalise the order that depends on Go map iteration) and checkIPTablesRuleJumps (every jump
// targets a chain the payload declares).

interface Chain {
  name: string;
  rules: string[];
  deleted: boolean;
}

interface Table {
  name: string;
  chains: Chain[];
}

/** Parse like upstream's ParseIPTablesDump: blank and # lines dropped, COMMIT required per table. */
export function parseDump(text: string): Table[] {
  const tables: Table[] = [];
  let table: Table | undefined;
  const chainOf = (name: string) => {
    const c = table?.chains.find((x) => x.name === name);
    if (!c) throw new Error(`rule for undeclared chain ${name} in table ${table?.name}`);
    return c;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      if (table) throw new Error(`table ${line} starts before ${table.name} has a COMMIT`);
      table = { name: line.slice(1), chains: [] };
    } else if (line === 'COMMIT') {
      if (!table) throw new Error('COMMIT outside a table');
      tables.push(table);
      table = undefined;
    } else if (!table) {
      throw new Error(`line outside a table: ${line}`);
    } else if (line.startsWith(':')) {
      table.chains.push({ name: line.slice(1).split(' ')[0]!, rules: [], deleted: false });
    } else if (line.startsWith('-A ')) {
      chainOf(line.split(' ')[1]!).rules.push(line);
    } else if (line.startsWith('-X ')) {
      chainOf(line.split(' ')[1]!).deleted = true;
    } else {
      throw new Error(`unexpected line: ${line}`);
    }
  }
  if (table) throw new Error(`table ${table.name} has no COMMIT`);
  return tables;
}

function commentOf(rule: string): string | undefined {
  const m = / --comment (?:"([^"]*)"|(\S+))/.exec(rule);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The service name in a rule's comment: the text before the first space or colon. */
function serviceNameOf(rule: string): string | undefined {
  const c = commentOf(rule);
  if (c === undefined) return undefined;
  const i = c.search(/[ :]/);
  return i < 0 ? c : c.slice(0, i);
}

function byServiceName(a: string, b: string): number {
  const x = serviceNameOf(a);
  const y = serviceNameOf(b);
  if (x === undefined || y === undefined) return 0;
  return x < y ? -1 : x > y ? 1 : 0;
}

function chainRank(name: string): [number, string] {
  if (name === 'KUBE-NODEPORTS') return [0, ''];
  if (name === 'KUBE-SERVICES') return [1, ''];
  return [name.startsWith('KUBE-') ? 2 : 3, name];
}

/** upstream's sortIPTablesRules, then the dump written back out. */
export function sortIPTablesRules(text: string): string {
  const tables = parseDump(text).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let out = '';
  for (const t of tables) {
    t.chains.sort((a, b) => {
      const [ra, na] = chainRank(a.name);
      const [rb, nb] = chainRank(b.name);
      return ra !== rb ? ra - rb : na < nb ? -1 : na > nb ? 1 : 0;
    });
    for (const c of t.chains) {
      if (c.name === 'KUBE-NODEPORTS' || (c.name === 'KUBE-SERVICES' && t.name === 'filter'))
        c.rules.sort(byServiceName);
      if (c.name === 'KUBE-SERVICES' && t.name === 'nat') {
        const last = (r: string) => commentOf(r)?.includes('must be the last rule') === true;
        c.rules.sort((a, b) => (last(a) ? (last(b) ? 0 : 1) : last(b) ? -1 : byServiceName(a, b)));
      }
    }
    out += `*${t.name}\n`;
    for (const c of t.chains) out += `:${c.name} - [0:0]\n`;
    for (const c of t.chains) for (const r of c.rules) out += `${r}\n`;
    for (const c of t.chains) if (c.deleted) out += `-X ${c.name}\n`;
    out += 'COMMIT\n';
  }
  return out;
}

const TARGETS = new Set(['ACCEPT', 'REJECT', 'DROP', 'MARK', 'RETURN', 'DNAT', 'SNAT', 'MASQUERADE']);
const FIXED = new Set([
  'KUBE-SERVICES',
  'KUBE-EXTERNAL-SERVICES',
  'KUBE-NODEPORTS',
  'KUBE-POSTROUTING',
  'KUBE-FORWARD',
  'KUBE-MARK-MASQ',
  'KUBE-PROXY-FIREWALL',
  'KUBE-FIREWALL',
]);

/** upstream's checkIPTablesRuleJumps: returns the problems found (empty when consistent). */
export function checkRuleJumps(text: string): string[] {
  const problems: string[] = [];
  for (const t of parseDump(text)) {
    const created = new Set(t.chains.filter((c) => !c.deleted).map((c) => c.name));
    const filled = new Set(t.chains.filter((c) => c.rules.length > 0).map((c) => c.name));
    const jumped = new Set<string>();
    for (const c of t.chains)
      for (const r of c.rules) {
        const m = / -j (\S+)/.exec(r);
        if (m && !TARGETS.has(m[1]!)) jumped.add(m[1]!);
      }
    const missing = [...jumped, ...filled].filter((c) => !created.has(c));
    if (missing.length) problems.push(`${t.name}: used but not created: ${[...new Set(missing)].join(' ')}`);
    const empty = [...jumped].filter((c) => !filled.has(c) && c !== 'KUBE-NODEPORTS');
    if (empty.length) problems.push(`${t.name}: jumped to but empty: ${empty.join(' ')}`);
    const extra = [...created].filter((c) => !jumped.has(c) && !FIXED.has(c));
    if (extra.length) problems.push(`${t.name}: created but not used: ${extra.join(' ')}`);
  }
  return problems;
}
