// The lab check's verdict on one target: the emulator's prediction against the kernel's counts.
import { describe, expect, test } from 'vitest';
import { compare, type Observation, type Prediction } from '../../../src/lab/check/compare.js';

const split = (o: Record<string, number>) => new Map(Object.entries(o));
const pred = (o: Record<string, number>, extra: Partial<Prediction> = {}): Prediction => ({
  split: split(o),
  sticky: false,
  masquerade: true,
  ...extra,
});
const obs = (o: Record<string, number>, extra: Partial<Observation> = {}): Observation => {
  const answered = Object.entries(o)
    .filter(([k]) => k !== 'REFUSED' && k !== 'TIMEOUT')
    .reduce((a, [, v]) => a + v, 0);
  return { counts: split(o), masqueraded: answered, kept: 0, ...extra };
};

describe('lab check: one target compared', () => {
  test.each([
    {
      name: 'an even split the kernel roughly follows agrees',
      p: pred({ 'a:1': 0.5, 'b:1': 0.5 }),
      o: obs({ 'a:1': 33, 'b:1': 27 }),
      agree: true,
    },
    {
      name: 'a rejected service refused every time agrees',
      p: pred({ REFUSED: 1 }),
      o: obs({ REFUSED: 30 }),
      agree: true,
    },
    {
      name: 'an endpoint the emulator never picks disagrees',
      p: pred({ 'a:1': 0.5, 'b:1': 0.5 }),
      o: obs({ 'a:1': 20, 'b:1': 20, 'c:1': 1 }),
      agree: false,
      problem: /c:1, which the emulator never predicts/,
    },
    {
      name: 'a dropped connection where the emulator DNATs disagrees',
      p: pred({ 'a:1': 1 }),
      o: obs({ TIMEOUT: 5 }),
      agree: false,
      problem: /TIMEOUT/,
    },
    {
      name: 'a lopsided split disagrees by chi-square',
      p: pred({ 'a:1': 0.5, 'b:1': 0.5 }),
      o: obs({ 'a:1': 55, 'b:1': 5 }),
      agree: false,
      problem: /chi-square p/,
    },
    {
      name: 'one endpoint for every connection agrees with predicted affinity',
      p: pred({ 'a:1': 0.5, 'b:1': 0.5 }, { sticky: true }),
      o: obs({ 'b:1': 60 }),
      agree: true,
    },
    {
      name: 'spread connections disagree with predicted affinity',
      p: pred({ 'a:1': 0.5, 'b:1': 0.5 }, { sticky: true }),
      o: obs({ 'a:1': 30, 'b:1': 30 }),
      agree: false,
      problem: /affinity/,
    },
    {
      name: 'a kept source where the emulator masquerades disagrees',
      p: pred({ 'a:1': 1 }),
      o: obs({ 'a:1': 10 }, { masqueraded: 0, kept: 10 }),
      agree: false,
      problem: /masquerade: the emulator says masqueraded/,
    },
  ])('$name', ({ p, o, agree, problem }) => {
    const c = compare(p, o);
    expect(c.agree).toBe(agree);
    if (problem) expect(c.problems.join('\n')).toMatch(problem);
    else expect(c.problems).toEqual([]);
  });
});
