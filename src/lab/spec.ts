// A lab spec from a proxy state: the node's IPs and every endpoint of every service port (ready or
// not — serving the unready ones too lets a test see traffic that wrongly reaches them).
import type { ProxyState } from '../proxy/state.js';
import type { EchoListen } from './echo-server.js';
import type { LabSpec } from './topology.js';

export function labSpecFromState(state: ProxyState, clientIPs: readonly string[] = []): LabSpec {
  const endpoints: EchoListen[] = [];
  for (const port of state.ports) {
    if (port.protocol !== 'TCP' && port.protocol !== 'UDP') continue; // the echo server speaks TCP and UDP
    for (const ep of state.endpointsOf(port)) endpoints.push({ ip: ep.ip, port: ep.port, protocol: port.protocol });
  }
  return { nodeIPs: state.config.nodeIPs[state.family], endpoints, clientIPs };
}
