// The kubeplane console page: plain ES modules, no build step, no CDN. Every view reads the JSON API
// under /api/; /api/events says when the store changed, and the open view reloads.

const SVG = 'http://www.w3.org/2000/svg';

function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const $ = (id) => document.getElementById(id);

async function api(path, params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v !== undefined));
  const res = await fetch(`/api/${path}${q.size ? `?${q}` : ''}`);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

const state = { service: undefined, summary: undefined };

// ---- Services ----
async function loadServices() {
  const body = await api('services', { q: $('svc-q').value, type: $('svc-type').value });
  $('svc-total').textContent = `${body.services.length} of ${body.total} Services`;
  const rows = body.services.map((s) =>
    el(
      'tr',
      { 'data-service': s.service },
      el('td', {}, el('a', { href: `#rules/${s.service}`, text: s.service })),
      el('td', { text: s.type }),
      el('td', { text: s.clusterIPs.join(', ') }),
      el('td', {
        text: s.declaredPorts
          .map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol}${p.nodePort ? ` :${p.nodePort}` : ''}`)
          .join(', '),
      }),
      el('td', { text: String(s.endpoints) }),
      el('td', { text: String(s.localEndpoints) }),
      el('td', { class: 'warn', text: s.warnings.join('; ') }),
    ),
  );
  $('svc-table').tBodies[0].replaceChildren(...rows);
}

// ---- Rules of one Service, side by side ----
const CONTEXT = 2;
function payloadView(mode, rendered, owned) {
  const lines = rendered.text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const own = new Set(owned);
  // Small payloads are shown whole; large ones only around the owned lines, with gaps marked.
  const whole = lines.length <= 3000;
  const shown = new Set();
  if (!whole) for (const n of owned) for (let i = n - CONTEXT; i <= n + CONTEXT; i++) shown.add(i);
  const pre = el('div', { class: 'payload', id: `payload-${mode}` });
  let gap = false;
  lines.forEach((text, i) => {
    const n = i + 1;
    if (!whole && !shown.has(n)) {
      if (!gap) pre.append(el('div', { class: 'gap', text: '…' }));
      gap = true;
      return;
    }
    gap = false;
    pre.append(
      el(
        'div',
        { id: `${mode}-L${n}`, class: own.has(n) ? 'own' : '' },
        el('span', { class: 'n', text: String(n) }),
        text,
      ),
    );
  });
  const jump = el(
    'div',
    { class: 'jump' },
    `${owned.length} of ${lines.length} lines: `,
    ...owned.slice(0, 40).map((n) =>
      el('a', {
        href: `#rules/${state.service}`,
        text: String(n),
        onclick: (e) => {
          e.preventDefault();
          $(`${mode}-L${n}`)?.scrollIntoView({ block: 'center' });
        },
      }),
    ),
  );
  return el('div', { class: 'col', 'data-mode': mode }, el('h3', { text: mode }), jump, pre);
}

async function loadRules() {
  if (!state.service) return;
  const family = $('rules-family').value;
  const detail = await api('service', { service: state.service, family });
  $('rules-title').textContent = `${detail.service} (${detail.type})`;
  const cols = [];
  for (const mode of state.summary.modes) {
    const rendered = await api('rules', { mode, family });
    cols.push(payloadView(mode, rendered, detail.owned[mode]));
  }
  $('rules-cols').replaceChildren(...cols);
  for (const mode of state.summary.modes) {
    const first = detail.owned[mode][0];
    if (first) $(`${mode}-L${first}`)?.scrollIntoView({ block: 'center' });
  }
}

async function explain() {
  const box = $('explain');
  box.hidden = false;
  box.textContent = 'explaining…';
  try {
    box.textContent = (await api('explain', { service: state.service })).text;
  } catch (err) {
    box.textContent = err.message;
  }
}

// ---- Trace: the chain path drawn, and where N connections land ----
function drawPath(path) {
  const svg = $('trace-path');
  const chains = [];
  for (const s of path)
    if (chains.at(-1)?.key !== `${s.table} ${s.chain}`) chains.push({ key: `${s.table} ${s.chain}`, steps: [s] });
    else chains.at(-1).steps.push(s);
  const w = 230;
  const h = 46;
  const gapX = 28;
  const perRow = 4;
  svg.replaceChildren();
  svg.setAttribute('width', String(perRow * (w + gapX)));
  svg.setAttribute('height', String(Math.ceil(chains.length / perRow) * (h + 30) + 10));
  chains.forEach((c, i) => {
    const x = (i % perRow) * (w + gapX) + 5;
    const y = Math.floor(i / perRow) * (h + 30) + 5;
    const last = c.steps.at(-1);
    const g = el('svg:g', { class: 'chain', 'data-chain': c.key });
    g.append(el('svg:rect', { x, y, width: w, height: h, rx: 6, fill: '#eef3fd', stroke: '#2f6fdf' }));
    g.append(el('svg:text', { x: x + 8, y: y + 18, text: c.key.length > 30 ? `${c.key.slice(0, 29)}…` : c.key }));
    g.append(
      el('svg:text', {
        x: x + 8,
        y: y + 36,
        fill: '#6b7280',
        text:
          last.rule === 'policy'
            ? 'policy'
            : last.line
              ? `rule ${last.rule}, line ${last.line}`
              : `rule ${last.rule} (implicit)`,
      }),
    );
    g.append(el('svg:title', { text: c.steps.map((s) => s.text).join('\n') }));
    svg.append(g);
    if (i > 0) {
      const px = ((i - 1) % perRow) * (w + gapX) + 5;
      const py = Math.floor((i - 1) / perRow) * (h + 30) + 5;
      // Same row: straight on; next row: down from the last box, back left, down into the first.
      const d =
        i % perRow === 0 ? `M${px + w / 2},${py + h} V${y - 15} H${x + w / 2} V${y}` : `M${px + w},${py + h / 2} H${x}`;
      svg.append(el('svg:path', { d, fill: 'none', stroke: '#6b7280', 'marker-end': 'url(#arrow)' }));
    }
  });
  const defs = el(
    'svg:defs',
    {},
    el(
      'svg:marker',
      { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' },
      el('svg:path', { d: 'M0,0 L10,5 L0,10 z', fill: '#6b7280' }),
    ),
  );
  svg.prepend(defs);
}

function drawChart(counts, expected) {
  const svg = $('trace-chart');
  svg.replaceChildren();
  if (!counts) {
    svg.setAttribute('height', '0');
    return;
  }
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(counts)])].sort();
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const rowH = 24;
  const labelW = 190;
  const barW = 420;
  svg.setAttribute('width', String(labelW + barW + 140));
  svg.setAttribute('height', String(keys.length * rowH + 10));
  keys.forEach((k, i) => {
    const share = (counts[k] ?? 0) / total;
    const exp = expected[k] ?? 0;
    const y = i * rowH + 5;
    svg.append(el('svg:text', { x: 5, y: y + 15, text: k }));
    svg.append(
      el('svg:rect', {
        class: 'bar',
        'data-endpoint': k,
        x: labelW,
        y: y + 3,
        width: Math.max(1, share * barW),
        height: rowH - 8,
      }),
    );
    svg.append(
      el('svg:line', { class: 'expected', x1: labelW + exp * barW, x2: labelW + exp * barW, y1: y, y2: y + rowH - 2 }),
    );
    svg.append(
      el('svg:text', { x: labelW + barW + 8, y: y + 15, text: `${counts[k] ?? 0} (${(100 * share).toFixed(1)}%)` }),
    );
  });
}

async function runTrace(e) {
  e?.preventDefault();
  const params = Object.fromEntries(new FormData($('trace-form')));
  $('trace-error').textContent = '';
  try {
    const t = await api('trace', params);
    $('trace-verdict').textContent =
      `verdict: ${t.verdict}${t.endpoint ? ` to ${t.endpoint}` : ''}${t.masquerade ? ', masqueraded' : ''} (${t.rulesVisited} rules evaluated${t.chiSquareP !== undefined ? `; chi-square p = ${t.chiSquareP.toPrecision(3)}` : ''})`;
    drawPath(t.path);
    drawChart(t.counts, t.expected);
    $('trace-steps').replaceChildren(
      ...t.path.map((s) =>
        el('li', {
          text: `${s.table} ${s.chain} ${s.rule === 'policy' ? 'policy' : `#${s.rule}`} (${s.line ? `line ${s.line}` : 'implicit'}): ${s.text}`,
        }),
      ),
    );
  } catch (err) {
    $('trace-error').textContent = err.message;
  }
}

// ---- DNS ----
async function runDns(e) {
  e?.preventDefault();
  $('dns-error').textContent = '';
  try {
    const r = await api('dns', Object.fromEntries(new FormData($('dns-form'))));
    const steps = r.steps.map((s) =>
      el(
        'li',
        { class: s === r.steps.at(-1) ? 'final' : '' },
        `${s.name}: ${s.rcode}`,
        ...s.answer.map((a) => el('div', { class: 'muted', text: a })),
      ),
    );
    $('dns-result').replaceChildren(
      el('p', {
        text: `search ${r.search.join(' ')}; ndots ${r.ndots}; answered by ${r.final.name} (${r.final.rcode})`,
      }),
      el('ol', { id: 'dns-steps' }, ...steps),
    );
  } catch (err) {
    $('dns-error').textContent = err.message;
  }
}

// ---- IPAM ----
async function loadIpam() {
  const { nodes } = await api('ipam');
  const rows = nodes.flatMap((n) =>
    n.ranges.map((r) =>
      el(
        'tr',
        {},
        el('td', { text: n.node }),
        el('td', { text: r.cidr }),
        el('td', { text: String(r.used) }),
        el('td', { text: String(r.usable) }),
        el(
          'td',
          {},
          el(
            'span',
            { class: 'meter' },
            el('span', { style: `width:${Number(r.usable) ? Math.min(100, (100 * r.used) / Number(r.usable)) : 0}%` }),
          ),
        ),
      ),
    ),
  );
  $('ipam-table').tBodies[0].replaceChildren(...rows);
}

// ---- Diff between any two syncs the console kept ----
function syncOptions(select, syncs, chosen) {
  select.replaceChildren(
    ...syncs.map((x) =>
      el('option', { value: String(x.id), text: `${x.id} (${x.at.slice(11, 19)}, ${x.services} Services)` }),
    ),
  );
  if (chosen !== undefined) select.value = String(chosen);
}

async function loadDiff(keepChoice = false) {
  $('diff-error').textContent = '';
  const { syncs, current } = await api('syncs');
  const ids = syncs.map((x) => String(x.id));
  // The last change unless the user picked two syncs that are still kept.
  const from = keepChoice && ids.includes($('diff-from').value) ? $('diff-from').value : ids.at(-2);
  const to = keepChoice && ids.includes($('diff-to').value) ? $('diff-to').value : String(current);
  syncOptions($('diff-from'), syncs, from);
  syncOptions($('diff-to'), syncs, to);
  if (syncs.length < 2) {
    $('diff-result').replaceChildren(
      el('p', {
        class: 'muted',
        text: 'No change seen yet: edit a watched manifest (--watch) and the partial sync it makes shows here.',
      }),
    );
    return;
  }
  try {
    const d = await api('diff', { mode: $('diff-mode').value, family: $('diff-family').value, from, to });
    $('diff-result').replaceChildren(
      el('p', { id: 'diff-title', text: `sync ${d.from} to sync ${d.to} in ${d.mode} (${d.family})` }),
      el('p', { text: `changed Services: ${d.changedServices.join(', ') || 'none'}` }),
      el('pre', { class: 'payload', id: 'diff-output', text: d.output }),
    );
  } catch (err) {
    $('diff-result').replaceChildren();
    $('diff-error').textContent = err.message;
  }
}

// ---- Tabs, routing, live updates ----
const LOADERS = {
  services: loadServices,
  rules: loadRules,
  trace: async () => {},
  dns: async () => {},
  ipam: loadIpam,
  diff: loadDiff,
};

function route() {
  const [tab = 'services', ...rest] = location.hash.slice(1).split('/');
  const name = LOADERS[tab] ? tab : 'services';
  if (name === 'rules' && rest.length === 2) {
    if (state.service !== rest.join('/')) $('explain').hidden = true;
    state.service = rest.join('/');
  }
  for (const s of document.querySelectorAll('.view')) s.hidden = s.id !== `view-${name}`;
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.tab === name);
  return LOADERS[name]().catch((err) => console.error(err));
}

async function start() {
  state.summary = await api('summary');
  $('node').textContent = `node ${state.summary.node} (${state.summary.nodeIPs.join(', ')})`;
  $('warnings').replaceChildren(
    ...state.summary.warnings.filter((w) => !w.object).map((w) => el('p', { class: 'error', text: w.message })),
  );
  let timer;
  $('svc-q').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(loadServices, 120);
  });
  $('svc-type').addEventListener('change', loadServices);
  $('svc-search').addEventListener('submit', (e) => e.preventDefault());
  $('rules-family').addEventListener('change', loadRules);
  $('explain-btn').addEventListener('click', explain);
  $('trace-form').addEventListener('submit', runTrace);
  $('dns-form').addEventListener('submit', runDns);
  $('diff-form').addEventListener('change', () => loadDiff(true));
  $('diff-form').addEventListener('submit', (e) => e.preventDefault());
  window.addEventListener('hashchange', route);
  const events = new EventSource('/api/events');
  events.addEventListener('hello', (e) => {
    $('live').textContent = JSON.parse(e.data).follow ? 'live' : '';
  });
  events.addEventListener('change', async (e) => {
    state.summary = await api('summary');
    $('live').textContent = `live: store version ${JSON.parse(e.data).version}`;
    document.body.dataset.version = String(JSON.parse(e.data).version);
    route();
  });
  await route();
  document.body.dataset.ready = 'true';
}

start();
