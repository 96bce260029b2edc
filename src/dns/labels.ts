// Domain names in presentation form ("web.default.svc.cluster.local", no trailing dot, root = ""),
// with RFC 1035 escapes (`\.`, `\\`, `\DDD`) for label bytes that are not plain text.

/** Split a presentation name into labels, honouring escapes. */
export function splitLabels(name: string): string[] {
  if (name === '') return [];
  if (!name.includes('\\')) return name.split('.');
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\' && i + 1 < name.length) {
      cur += c + name[i + 1];
      i++;
    } else if (c === '.') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** The raw bytes of one presentation label (escapes resolved). */
export function labelBytes(label: string): Buffer {
  if (!label.includes('\\')) return Buffer.from(label, 'latin1');
  const bytes: number[] = [];
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c === 92 /* \ */ && i + 1 < label.length) {
      const d = label.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(d)) {
        bytes.push(Number(d) & 255);
        i += 3;
      } else {
        bytes.push(label.charCodeAt(i + 1) & 255);
        i++;
      }
    } else bytes.push(c & 255);
  }
  return Buffer.from(bytes);
}

/** One label's bytes in presentation form, escaping what dig escapes. */
export function escapeLabel(buf: Buffer, start: number, end: number): string {
  let plain = true;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (
      c <= 32 ||
      c >= 127 ||
      c === 46 ||
      c === 92 ||
      c === 34 ||
      c === 40 ||
      c === 41 ||
      c === 59 ||
      c === 64 ||
      c === 36
    ) {
      plain = false;
      break;
    }
  }
  if (plain) return buf.toString('latin1', start, end);
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c <= 32 || c >= 127) s += `\\${String(c).padStart(3, '0')}`;
    else if (c === 46 || c === 92 || c === 34 || c === 40 || c === 41 || c === 59 || c === 64 || c === 36)
      s += `\\${String.fromCharCode(c)}`;
    else s += String.fromCharCode(c);
  }
  return s;
}

/** Absolute name with its trailing dot, as zone files and dig write it. */
export function fqdn(name: string): string {
  return `${name}.`;
}
