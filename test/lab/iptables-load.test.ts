// Every golden iptables payload is accepted by the kernel's own iptables-restore --test.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, test } from 'vitest';
import { applyIptables, createLab, type Lab } from '../../src/lab/index.js';
import { ROOT } from '../support/cli.js';
import { describeKernel } from '../support/env.js';
import { TOOLS } from './iptables-support.js';

describeKernel(
  'iptables: golden payloads load',
  () => {
    const goldens = readdirSync(`${ROOT}/rules`).filter((f) => f.endsWith('.iptables'));
    let lab: Lab | undefined;
    beforeAll(async () => {
      lab = await createLab({ nodeIPs: [], endpoints: [] });
    }, 120_000);
    afterAll(async () => lab?.close());
    test.each(goldens.map((golden) => ({ golden })))('iptables-restore --test accepts $golden', async ({ golden }) => {
      const payload = readFileSync(`${ROOT}/rules/${golden}`, 'utf8');
      const family = golden.includes('.ipv6.') ? 'IPv6' : 'IPv4';
      await applyIptables(lab!.node, payload, { test: true, family });
    });
  },
  TOOLS,
);
