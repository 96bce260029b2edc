// The abbreviated IPAM result (no interfaces), printed in the config's cniVersion: 1.x and 0.3.x/0.4.0
// lists `ips` (0.3.x/0.4.0 add "version"), 0.1.0/0.2.0 use ip4/ip6 objects.

import { parseCIDR } from '../net/cidr.js';
import { familyDigit, formatIP } from '../net/ip.js';
import type { Allocation } from './allocator.js';
import type { Dns } from './resolv.js';

export function resultJson(
  cniVersion: string,
  allocations: readonly Allocation[],
  routes: readonly Record<string, unknown>[],
  dns: Dns | undefined,
): string {
  const entry = (a: Allocation) => ({
    address: `${formatIP(a.ip)}/${a.range.subnet.prefix}`,
    gateway: formatIP(a.range.gateway),
  });
  const out: Record<string, unknown> = { cniVersion };
  if (cniVersion === '0.1.0' || cniVersion === '0.2.0') {
    for (const fam of ['IPv4', 'IPv6'] as const) {
      const a = allocations.find((x) => x.ip.family === fam);
      if (!a) continue;
      const e = entry(a);
      const famRoutes = routes.filter((r) => parseCIDR(String(r.dst))?.family === fam);
      out[`ip${familyDigit(fam)}`] = {
        ip: e.address,
        gateway: e.gateway,
        ...(famRoutes.length ? { routes: famRoutes } : {}),
      };
    }
  } else {
    const old = cniVersion.startsWith('0.');
    out.ips = allocations.map((a) => (old ? { version: String(familyDigit(a.ip.family)), ...entry(a) } : entry(a)));
    if (routes.length > 0) out.routes = routes;
  }
  if (dns) out.dns = dns;
  return `${JSON.stringify(out)}\n`;
}
