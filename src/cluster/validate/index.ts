// Validates one raw document and, when valid, returns it as a typed cluster object.

import type { RawDocument } from '../documents.js';
import type { ClusterObject, Workload } from '../types.js';
import { describe, isRecord, ValidationContext } from './context.js';
import { validateEndpointSlice, validateEndpoints } from './endpoint-slice.js';
import { type NameRule, validateMetadata } from './metadata.js';
import { validateNode, validatePod, validateServiceCIDR } from './node-pod.js';
import { validateKubeProxyConfiguration } from './proxy-config.js';
import { validateService } from './service.js';
import { validateWorkload } from './workload.js';

export { type ManifestWarning, ValidationContext } from './context.js';

interface KindRule {
  apiVersions: readonly string[];
  namespaced: boolean;
  name: NameRule | 'none';
  validate: (ctx: ValidationContext, obj: Record<string, unknown>) => void;
}

const KINDS: Record<string, KindRule> = {
  Service: { apiVersions: ['v1'], namespaced: true, name: 'dns1035-label', validate: validateService },
  EndpointSlice: {
    apiVersions: ['discovery.k8s.io/v1'],
    namespaced: true,
    name: 'dns1123-subdomain',
    validate: validateEndpointSlice,
  },
  Endpoints: { apiVersions: ['v1'], namespaced: true, name: 'dns1123-subdomain', validate: validateEndpoints },
  Node: { apiVersions: ['v1'], namespaced: false, name: 'dns1123-subdomain', validate: validateNode },
  Pod: { apiVersions: ['v1'], namespaced: true, name: 'dns1123-subdomain', validate: validatePod },
  Namespace: { apiVersions: ['v1'], namespaced: false, name: 'dns1123-label', validate: () => {} },
  ServiceCIDR: {
    apiVersions: ['networking.k8s.io/v1', 'networking.k8s.io/v1beta1'],
    namespaced: false,
    name: 'dns1123-subdomain',
    validate: validateServiceCIDR,
  },
  Deployment: { apiVersions: ['apps/v1'], namespaced: true, name: 'dns1123-subdomain', validate: validateWorkload },
  ReplicaSet: { apiVersions: ['apps/v1'], namespaced: true, name: 'dns1123-subdomain', validate: validateWorkload },
  StatefulSet: { apiVersions: ['apps/v1'], namespaced: true, name: 'dns1123-subdomain', validate: validateWorkload },
  DaemonSet: { apiVersions: ['apps/v1'], namespaced: true, name: 'dns1123-subdomain', validate: validateWorkload },
  Job: { apiVersions: ['batch/v1'], namespaced: true, name: 'dns1123-subdomain', validate: validateWorkload },
  KubeProxyConfiguration: {
    apiVersions: ['kubeproxy.config.k8s.io/v1alpha1'],
    namespaced: false,
    name: 'none',
    validate: validateKubeProxyConfiguration,
  },
};

export type DocumentVerdict =
  | { kind: 'object'; object: ClusterObject | LegacyEndpoints | Workload; ctx: ValidationContext }
  | { kind: 'skipped'; skippedKind: string; ctx: ValidationContext }
  | { kind: 'invalid'; ctx: ValidationContext };

/** Legacy v1 Endpoints, kept until the loader mirrors them into EndpointSlices. */
export type LegacyEndpoints = import('../types.js').Endpoints;

export function validateDocument(doc: RawDocument): DocumentVerdict {
  const v = doc.value;
  if (!isRecord(v)) {
    const ctx = new ValidationContext(doc, undefined, undefined);
    ctx.error('(document)', `must be an object with apiVersion and kind, got ${describe(v)}`);
    return { kind: 'invalid', ctx };
  }
  const kind = typeof v.kind === 'string' ? v.kind : undefined;
  const meta = isRecord(v.metadata) ? v.metadata : undefined;
  const rule = kind ? KINDS[kind] : undefined;
  const ns = rule?.namespaced ? (typeof meta?.namespace === 'string' ? meta.namespace : 'default') : undefined;
  const name = typeof meta?.name === 'string' ? meta.name : '';
  const ctx = new ValidationContext(doc, kind, name ? (ns ? `${ns}/${name}` : name) : undefined);
  if (!kind) {
    ctx.error('kind', 'required');
    return { kind: 'invalid', ctx };
  }
  if (typeof v.apiVersion !== 'string' || v.apiVersion === '') {
    ctx.error('apiVersion', 'required');
    return { kind: 'invalid', ctx };
  }
  if (!rule) return { kind: 'skipped', skippedKind: kind, ctx };
  if (!rule.apiVersions.includes(v.apiVersion)) {
    ctx.error(
      'apiVersion',
      `${describe(v.apiVersion)} is not supported for ${kind}; use ${rule.apiVersions.join(' or ')}`,
    );
    return { kind: 'invalid', ctx };
  }
  if (rule.name !== 'none') validateMetadata(ctx, v.metadata, rule.name, rule.namespaced);
  rule.validate(ctx, v);
  if (ctx.errors.length > 0) return { kind: 'invalid', ctx };
  if (rule.namespaced && meta && meta.namespace === undefined) meta.namespace = 'default';
  if (kind === 'Service' && isRecord(v.spec) && Array.isArray(v.spec.loadBalancerSourceRanges)) {
    v.spec.loadBalancerSourceRanges = v.spec.loadBalancerSourceRanges.map((r) => String(r).trim());
  }
  return { kind: 'object', object: v as unknown as ClusterObject, ctx };
}
