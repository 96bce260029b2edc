// `ipam.resolvConf`: a resolv.conf file read into the result's dns object, as host-local does.
import { readFileBounded } from './read-bounded.js';

/** resolv.conf files are a few hundred bytes; glibc reads no more than its own limits either. */
export const MAX_RESOLV_CONF_BYTES = 64 * 1024;

import { IpamError } from '../errors.js';

export interface Dns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

/**
 * host-local's reading: a line starting with `#` or `;` is a comment (no inline comments), lines with
 * fewer than two fields are skipped, `search` and `options` lines accumulate, the last `domain` wins.
 */
export function parseResolvConf(text: string): Dns | undefined {
  const dns: Required<Dns> = { nameservers: [], domain: '', search: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line[0] === '#' || line[0] === ';') continue;
    const [key, ...rest] = line.split(/\s+/);
    if (rest.length === 0) continue;
    if (key === 'nameserver') dns.nameservers.push(rest[0]!);
    else if (key === 'domain') dns.domain = rest[0]!;
    else if (key === 'search') dns.search.push(...rest);
    else if (key === 'options') dns.options.push(...rest);
  }
  const out: Dns = {};
  if (dns.nameservers.length) out.nameservers = dns.nameservers;
  if (dns.domain) out.domain = dns.domain;
  if (dns.search.length) out.search = dns.search;
  if (dns.options.length) out.options = dns.options;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Read `ipam.resolvConf`; a failure reads as Go's `open <path>: <reason>`, the field in the details. */
export function readResolvConf(path: string): Dns | undefined {
  let text: string | undefined;
  try {
    text = readFileBounded(path, MAX_RESOLV_CONF_BYTES);
  } catch (err) {
    const m = /^[A-Z]+: ([^,]+),/.exec((err as Error).message);
    const reason = m ? m[1] : (err as Error).message;
    throw new IpamError('io', `open ${path}: ${reason}`, 'ipam.resolvConf', { cause: err });
  }
  if (text === undefined)
    throw new IpamError(
      'invalid-config',
      `${path}: more than ${MAX_RESOLV_CONF_BYTES} bytes; not a resolv.conf`,
      'ipam.resolvConf',
    );
  return parseResolvConf(text);
}
