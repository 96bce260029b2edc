import { describe, isRecord, type ValidationContext } from './context.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from './formats.js';

export type NameRule = 'dns1035-label' | 'dns1123-subdomain' | 'dns1123-label';

const NAME_CHECKS: Record<NameRule, [(s: string) => boolean, string]> = {
  'dns1035-label': [
    isDNS1035Label,
    'must be a DNS-1035 label (lower-case letters, digits and "-", starting with a letter, at most 63 characters)',
  ],
  'dns1123-label': [
    isDNS1123Label,
    'must be a DNS-1123 label (lower-case letters, digits and "-", at most 63 characters)',
  ],
  'dns1123-subdomain': [
    isDNS1123Subdomain,
    'must be a DNS-1123 subdomain (lower-case labels separated by ".", at most 253 characters)',
  ],
};

/** Validate metadata.name (and metadata.namespace for namespaced kinds). */
export function validateMetadata(ctx: ValidationContext, meta: unknown, nameRule: NameRule, namespaced: boolean): void {
  if (!isRecord(meta)) {
    ctx.error('metadata', `required object, got ${describe(meta)}`);
    return;
  }
  const name = meta.name;
  if (typeof name !== 'string' || name === '') {
    ctx.error('metadata.name', 'required');
  } else {
    const [ok, text] = NAME_CHECKS[nameRule];
    if (!ok(name)) ctx.error('metadata.name', `${describe(name)} ${text}`);
  }
  if (namespaced && meta.namespace !== undefined) {
    const ns = meta.namespace;
    if (typeof ns !== 'string' || !isDNS1123Label(ns)) {
      ctx.error('metadata.namespace', `${describe(ns)} must be a DNS-1123 label`);
    }
  }
  if (meta.labels !== undefined && meta.labels !== null) {
    if (!isRecord(meta.labels)) ctx.error('metadata.labels', `must be a map of strings, got ${describe(meta.labels)}`);
    else
      for (const [k, v] of Object.entries(meta.labels)) {
        if (typeof v !== 'string') ctx.error(`metadata.labels[${k}]`, `must be a string, got ${describe(v)}`);
      }
  }
}
