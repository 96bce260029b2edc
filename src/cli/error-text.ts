// Library errors name the caller-given setting they are about (`scheduler`, `dataDir`...), never a
// flag; the CLI knows which of its flags set each one and says so in what it prints.

import type { KubeplaneError, Setting } from '../errors.js';

const FLAG_OF: Readonly<Record<Setting, string>> = {
  clusterCidr: '--cluster-cidr',
  dataDir: '--data-dir',
  listenAddress: '--listen-address',
  node: '--node',
  nodeMask: '--node-mask',
  nodeMaskIPv4: '--node-mask-ipv4',
  nodeMaskIPv6: '--node-mask-ipv6',
  nodePortRange: '--service-node-port-range',
  nodes: '--nodes',
  portMap: '--port-map',
  scheduler: '--scheduler',
  serviceCidr: '--service-cidr',
  store: '--store',
};

/** The error's message with the first mention of its setting spelled as the flag that set it. */
export function errorText(err: KubeplaneError): string {
  const setting = err.setting;
  if (!setting) return err.message;
  const at = new RegExp(`(?<![\\w-])${setting}(?![\\w-])`).exec(err.message);
  if (!at) return `${err.message} (${FLAG_OF[setting]})`;
  return err.message.slice(0, at.index) + FLAG_OF[setting] + err.message.slice(at.index + setting.length);
}
