// The userspace mode behind the mode seam: its "rules" are the portal rules (pure, stateless memo).
import type { ProxyMode, Syncer } from '../mode.js';
import type { PortMap } from './port-map.js';
import { renderPortalRules } from './portal-rules.js';

/** A userspace mode reading proxy ports from a port map (else numbered placeholders, see portal-rules.ts). */
export function createUserspaceMode(portMap?: PortMap, listenHost = '127.0.0.1'): ProxyMode<null> {
  return {
    name: 'userspace',
    parts: ['iptables'],
    deferredCleanup: false,
    createSyncer(): Syncer<null> {
      return {
        initialMemo: null,
        sync(state) {
          const text = renderPortalRules(state, { portMap, listenHost });
          const rules = text.split('\n').filter((l) => l.startsWith('-A ')).length;
          return {
            payloads: [{ kind: 'iptables', part: 'iptables', header: '# iptables-restore', text }],
            stats: { rules },
            summary: [`${rules} portal rules`],
            memo: null,
          };
        },
      };
    },
  };
}

export const userspaceMode: ProxyMode<null> = createUserspaceMode();
