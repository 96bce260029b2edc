// DNS values shared by the zone logic, the wire codec and the server: record types, rcodes, and the
// records and answers the pure zone lookup produces.

export const TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const CLASS_IN = 1;

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;

const TYPE_NAMES = new Map<number, string>(Object.entries(TYPE).map(([k, v]) => [v, k]));
const RCODE_NAMES = new Map<number, string>(Object.entries(RCODE).map(([k, v]) => [v, k]));

/** "A", "SRV", or RFC 3597's "TYPE123" for types we do not name. */
export function typeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`;
}

export function rcodeName(rcode: number): string {
  return RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;
}

/** Parse "A", "srv", "TYPE33" or "33" into a type code; undefined when unknown. */
export function parseType(text: string): number | undefined {
  const up = text.toUpperCase();
  const known = (TYPE as Record<string, number>)[up];
  if (known !== undefined) return known;
  const m = /^(?:TYPE)?(\d{1,5})$/.exec(up);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n <= 0xffff ? n : undefined;
}

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** A resource record. Names are absolute, written without the trailing dot. */
export type Rr =
  | { name: string; type: 1 | 28; ttl: number; data: string }
  | { name: string; type: 2 | 5 | 12; ttl: number; data: string }
  | { name: string; type: 16; ttl: number; data: readonly string[] }
  | { name: string; type: 33; ttl: number; data: SrvData }
  | { name: string; type: 6; ttl: number; data: SoaData };

export interface Question {
  name: string;
  type: number;
  class: number;
}

/** What the server still has to do for an answer the zone could not finish alone. */
export type Followup =
  /** Name outside every zone (or a reverse name nobody owns): ask the upstream, if any. */
  | { kind: 'forward' }
  /** ExternalName target outside the zones: append the upstream's records for it. */
  | { kind: 'chase'; target: string; type: number };

export interface Answer {
  rcode: number;
  /** The AA flag: set on every answer the zone itself produced. */
  authoritative: boolean;
  answer: Rr[];
  authority: Rr[];
  additional: Rr[];
  followup?: Followup;
}
