// Records and answers in zone-file text, the way dig prints them ("name. 5 IN A 10.96.0.100").
import { fqdn } from './labels.js';
import type { Answer, Rr } from './types.js';
import { rcodeName, TYPE, typeName } from './types.js';

function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

export function rdataText(rr: Rr): string {
  switch (rr.type) {
    case TYPE.A:
    case TYPE.AAAA:
      return rr.data;
    case TYPE.NS:
    case TYPE.CNAME:
    case TYPE.PTR:
      return fqdn(rr.data);
    case TYPE.TXT:
      return rr.data.map(quote).join(' ');
    case TYPE.SRV:
      return `${rr.data.priority} ${rr.data.weight} ${rr.data.port} ${fqdn(rr.data.target)}`;
    case TYPE.SOA: {
      const d = rr.data;
      return `${fqdn(d.mname)} ${fqdn(d.rname)} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    }
  }
}

export function rrText(rr: Rr): string {
  return `${fqdn(rr.name)} ${rr.ttl} IN ${typeName(rr.type)} ${rdataText(rr)}`;
}

/** An answer as indented sections under a status line; records sorted (answer order is not meaningful). */
export function answerText(a: Answer): string[] {
  const lines = [`status: ${rcodeName(a.rcode)}${a.authoritative ? ' aa' : ''}`];
  const section = (title: string, rrs: Rr[]) => {
    for (const t of rrs.map(rrText).sort()) lines.push(`  ${title} ${t}`);
  };
  section('ANSWER', a.answer);
  section('AUTHORITY', a.authority);
  section('ADDITIONAL', a.additional);
  return lines;
}
