import { expect, test } from 'vitest';
import { candidateNames, podSearchList } from '../../src/dns/resolve.js';

const search = podSearchList('default', 'cluster.local');

test.each([
  {
    name: 'a single label walks the whole search list first',
    typed: 'web',
    want: ['web.default.svc.cluster.local', 'web.svc.cluster.local', 'web.cluster.local', 'web'],
  },
  {
    name: '4 dots is fewer than ndots 5: search list first',
    typed: 'web.default.svc.cluster.local',
    want: [
      'web.default.svc.cluster.local.default.svc.cluster.local',
      'web.default.svc.cluster.local.svc.cluster.local',
      'web.default.svc.cluster.local.cluster.local',
      'web.default.svc.cluster.local',
    ],
  },
  {
    name: '5 dots: the name itself first',
    typed: '_http._tcp.web.default.svc.cluster.local',
    want: [
      '_http._tcp.web.default.svc.cluster.local',
      '_http._tcp.web.default.svc.cluster.local.default.svc.cluster.local',
      '_http._tcp.web.default.svc.cluster.local.svc.cluster.local',
      '_http._tcp.web.default.svc.cluster.local.cluster.local',
    ],
  },
  { name: 'a trailing dot: only the name', typed: 'example.com.', want: ['example.com'] },
])('$name', ({ typed, want }) => {
  expect(candidateNames(typed, search, 5)).toEqual(want);
});
