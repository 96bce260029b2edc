import { Packet } from 'dns2';
import { expect, test } from 'vitest';
import { ReplyCache } from '../../src/dns/cache.js';

function upstreamReply(rcode: number, ttl: number): Buffer {
  const p = new Packet();
  p.header.id = 9;
  p.header.qr = 1;
  p.header.rcode = rcode;
  p.questions.push({ name: 'example.org', type: 1, class: 1 } as never);
  if (rcode === 0) p.answers.push({ name: 'example.org', type: 1, class: 1, ttl, address: '192.0.2.1' } as never);
  return p.toBuffer();
}

test('a cached reply gets the new query id and TTLs counted down; it expires after min(TTL, 30 s)', () => {
  let now = 0;
  const cache = new ReplyCache(10, 30, () => now);
  cache.put('k', upstreamReply(0, 20));
  now = 7_500;
  const hit = cache.get('k', 77)!;
  expect(hit.readUInt16BE(0)).toBe(77);
  expect((Packet.parse(hit).answers[0] as { ttl: number }).ttl).toBe(13);
  now = 20_000;
  expect(cache.get('k', 1)).toBeUndefined();
  expect(cache.stats).toMatchObject({ hits: { success: 1, denial: 0 }, misses: 1 });
});

test('NXDOMAIN is cached as a denial; SERVFAIL is not cached', () => {
  const cache = new ReplyCache(10, 30, () => 0);
  cache.put('nx', upstreamReply(3, 0));
  cache.put('sf', upstreamReply(2, 0));
  expect(cache.get('nx', 1)).toBeDefined();
  expect(cache.get('sf', 1)).toBeUndefined();
  expect(cache.stats.hits.denial).toBe(1);
});

test('the cache is bounded: the oldest entry goes first', () => {
  const cache = new ReplyCache(2, 30, () => 0);
  for (const k of ['a', 'b', 'c']) cache.put(k, upstreamReply(0, 10));
  expect(cache.size).toBe(2);
  expect(cache.get('a', 1)).toBeUndefined();
  expect(cache.stats.evictions).toBe(1);
});
