// `ipam.resolvConf`: a resolv.conf file read into the result's dns object, as host-local does.
import { readFileSync } from 'node:fs';
import { IpamError } from '../errors.js';

export interface Dns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export function parseResolvConf(text: string): Dns | undefined {
  const dns: Required<Dns> = { nameservers: [], domain: '', search: [], options: [] };
  for (const line of text.split('\n')) {
    const f = line
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/);
    const [key, ...rest] = f;
    if (key === 'nameserver' && rest[0]) dns.nameservers.push(rest[0]);
    else if (key === 'domain' && rest[0]) dns.domain = rest[0];
    else if (key === 'search') dns.search = rest;
    else if (key === 'options') dns.options.push(...rest);
  }
  const out: Dns = {};
  if (dns.nameservers.length) out.nameservers = dns.nameservers;
  if (dns.domain) out.domain = dns.domain;
  if (dns.search.length) out.search = dns.search;
  if (dns.options.length) out.options = dns.options;
  return Object.keys(out).length > 0 ? out : undefined;
}

export function readResolvConf(path: string): Dns | undefined {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new IpamError('invalid-config', `ipam.resolvConf: cannot read ${path}: ${(err as Error).message}`, path, {
      cause: err,
    });
  }
}
