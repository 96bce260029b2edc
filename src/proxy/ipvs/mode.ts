// kube-proxy's IPVS mode behind the ProxyMode seam: a full sync prints the four dumps
// (ipvsadm-save, ipset save, iptables-save payload, kube-ipvs0 addresses); a partial sync prints
// the calls one sync makes.
import type { Payload, ProxyMode, Syncer, SyncerOptions, SyncResult } from '../mode.js';
import type { ProxyState } from '../state.js';
import type { ChangeSet } from '../types.js';
import { fullSync, ipsetText, iptablesText, ipvsText, prefixOf } from './full.js';
import { SET_INFO, setName } from './ipsets.js';
import { INITIAL_MEMO, type IpvsMemo } from './memo.js';
import { checkScheduler, ipvsOptions } from './options.js';
import { partialSync } from './partial.js';

const HEADERS = {
  ipvs: '# ipvsadm-save -n',
  ipset: '# ipset save',
  iptables: '# iptables-save',
  addresses: '# kube-ipvs0',
} as const;

function payload(part: keyof typeof HEADERS, text: string): Payload {
  return { kind: part, part, header: HEADERS[part], text };
}

const lines = (l: readonly string[]) => (l.length ? `${l.join('\n')}\n` : '');

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The -A lines of an iptables-restore payload. */
function iptablesRules(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n-A '); i >= 0; i = text.indexOf('\n-A ', i + 1)) n++;
  return n;
}

function createIpvsSyncer(options: SyncerOptions): Syncer<IpvsMemo> {
  if (options.scheduler !== undefined) checkScheduler(options.scheduler, 'scheduler');
  return {
    initialMemo: INITIAL_MEMO,
    sync(state: ProxyState, changes: ChangeSet, memo: IpvsMemo): SyncResult<IpvsMemo> {
      const opts = ipvsOptions(state.config, state.family, options.profile, options.scheduler);
      if (changes.full || !memo.synced) {
        const { model, memo: next } = fullSync(state, opts);
        const iptables = iptablesText(model, opts);
        const addresses = model.addresses.map((a) => `${a}${prefixOf(opts.family)}`);
        const realServers = model.virtualServers.reduce((n, vs) => n + vs.realServers.length, 0);
        let members = 0;
        for (const m of model.sets.values()) members += m.length;
        const result: SyncResult<IpvsMemo> = {
          payloads: [
            payload('ipvs', ipvsText(model)),
            payload('ipset', ipsetText(model, opts)),
            payload('iptables', iptables),
            payload('addresses', lines(addresses)),
          ],
          stats: {
            virtualServers: model.virtualServers.length,
            realServers,
            setMembers: members,
            addresses: addresses.length,
            iptablesLines: countLines(iptables),
            rules: iptablesRules(iptables),
          },
          summary: [
            `full sync: ${model.virtualServers.length} virtual servers, ${realServers} real servers, ${members} set members, ${addresses.length} addresses`,
          ],
          memo: next,
        };
        if (options.format !== 'json') return result;
        const json = JSON.stringify({
          virtualServers: model.virtualServers.map((vs) => ({
            protocol: vs.protocol,
            address: vs.address,
            port: vs.port,
            scheduler: vs.scheduler,
            persistenceTimeout: vs.persistenceTimeout,
            realServers: vs.realServers.map((r) => ({ address: r.address, port: r.port, weight: r.weight })),
          })),
          ipsets: SET_INFO.map((info) => ({
            name: setName(info.name, opts.family),
            type: info.type,
            family: opts.family === 'IPv4' ? 'inet' : 'inet6',
            members: model.sets.get(info.name) ?? [],
          })),
          iptables,
          addresses,
        });
        return { ...result, json };
      }
      const r = partialSync(state, changes, memo, opts);
      const c = r.counts;
      const summary = [
        `${c.servicesChanged} services changed`,
        `virtual servers: +${c.virtualServersAdded} ~${c.virtualServersUpdated} -${c.virtualServersDeleted}`,
        `real servers: +${c.realServersAdded} -${c.realServersDeleted}`,
        `set members: +${c.membersAdded} -${c.membersDeleted}`,
        `kube-ipvs0 addresses: +${c.addressesAdded} -${c.addressesDeleted}`,
      ];
      const result: SyncResult<IpvsMemo> = {
        payloads: [
          payload('ipvs', lines(r.ipvs)),
          payload('ipset', lines(r.ipset)),
          payload('iptables', r.iptables),
          payload('addresses', lines(r.addresses)),
        ],
        stats: {
          ...c,
          rules: iptablesRules(r.iptables),
          ipvsLines: r.ipvs.length,
          ipsetLines: r.ipset.length,
          addressLines: r.addresses.length,
        },
        summary,
        memo: r.memo,
      };
      if (options.format !== 'json') return result;
      return {
        ...result,
        json: JSON.stringify({ ipvs: r.ipvs, ipset: r.ipset, iptables: r.iptables, addresses: r.addresses }),
      };
    },
  };
}

export const ipvsMode: ProxyMode<IpvsMemo> = {
  name: 'ipvs',
  parts: ['ipvs', 'ipset', 'iptables', 'addresses'],
  deferredCleanup: false,
  createSyncer: createIpvsSyncer,
};
