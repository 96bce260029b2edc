// Endpoint dispatch and endpoint chains: the policy chain's affinity checks and its
// `numgen random mod N` verdict map, and each endpoint chain's hairpin, affinity and DNAT rules.
import type { Endpoint, ServicePortInfo } from '../types.js';
import type { EndpointNames } from './names.js';
import {
  affinityCheckRule,
  affinityUpdateRule,
  dnatRule,
  endpointHairpinRule,
  numgenRule,
  type RuleBody,
  type RuleContext,
} from './rules.js';
import type { Transaction } from './transaction.js';

export function addRule(tx: Transaction, chain: string, b: RuleBody, comment?: string): void {
  if (b.expr === undefined && comment === undefined) tx.add({ kind: 'rule', chain, text: b.text });
  else
    tx.add({ kind: 'rule', chain, text: b.text, ...(b.expr ? { expr: b.expr } : {}), ...(comment ? { comment } : {}) });
}

/** writeServiceToEndpointRules: affinity checks (ClientIP), then one numgen verdict-map rule. */
export function writePolicyChain(
  tx: Transaction,
  ctx: RuleContext,
  port: ServicePortInfo,
  chain: string,
  endpoints: readonly Endpoint[],
  namesOf: (ep: Endpoint) => EndpointNames,
): void {
  const chains = new Array<string>(endpoints.length);
  for (let i = 0; i < endpoints.length; i++) {
    const n = namesOf(endpoints[i]!);
    chains[i] = n.chain;
    if (port.sessionAffinity === 'ClientIP') addRule(tx, chain, affinityCheckRule(ctx, n.affinitySet, n.chain));
  }
  addRule(tx, chain, numgenRule(ctx, chains));
}

/** The rules of one endpoint chain: hairpin masquerade, affinity refresh, DNAT. */
export function writeEndpointChain(
  tx: Transaction,
  ctx: RuleContext,
  port: ServicePortInfo,
  ep: Endpoint,
  names: EndpointNames,
): void {
  addRule(tx, names.chain, endpointHairpinRule(ctx, ep.ip));
  if (port.sessionAffinity === 'ClientIP') addRule(tx, names.chain, affinityUpdateRule(ctx, names.affinitySet));
  addRule(tx, names.chain, dnatRule(ctx, port.protocol.toLowerCase(), ep.ip, ep.port, ep.endpoint));
}
