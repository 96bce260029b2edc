// Builders for the records the zone answers with, and the two negative forms (NXDOMAIN and NODATA),
// which always carry the zone's SOA in the authority section.
import type { Answer, Rr, SoaData } from './types.js';
import { RCODE, TYPE } from './types.js';

export const SCHEMA_VERSION = '1.1.0';
export const SCHEMA_TTL = 28800;

export interface SoaSettings {
  ttl: number;
  serial: number;
}

/** The zone's SOA, owner and names in the letter case the zone was queried in (CoreDNS BL). */
export function soaRecord(zone: string, s: SoaSettings): Rr {
  const data: SoaData = {
    mname: `ns.dns.${zone}`,
    rname: `hostmaster.${zone}`,
    serial: s.serial,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: s.ttl,
  };
  return { name: zone, type: TYPE.SOA, ttl: Math.min(s.ttl, 300), data };
}

export function positive(answer: Rr[], additional: Rr[] = []): Answer {
  return { rcode: RCODE.NOERROR, authoritative: true, answer, authority: [], additional };
}

export function negative(rcode: number, zone: string, s: SoaSettings): Answer {
  return { rcode, authoritative: true, answer: [], authority: [soaRecord(zone, s)], additional: [] };
}

export function address(name: string, ip: string, ttl: number): Rr {
  return { name, type: ip.includes(':') ? TYPE.AAAA : TYPE.A, ttl, data: ip };
}

/** Does an address belong to the family a query type asks for? */
export function familyOf(qtype: number): 'v4' | 'v6' | undefined {
  return qtype === TYPE.A ? 'v4' : qtype === TYPE.AAAA ? 'v6' : undefined;
}

export function inFamily(ip: string, family: 'v4' | 'v6'): boolean {
  return ip.includes(':') === (family === 'v6');
}

/** SRV weight as CoreDNS computes it: floor(100 / entries before de-duplication), at least 1. */
export function srvWeight(entries: number): number {
  return Math.max(1, Math.floor(100 / entries));
}
