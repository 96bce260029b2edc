// Workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job) and Pod templates: the fields
// control/ reads to create Pods. apps/v1 requires a selector that matches the template's labels
// (the API server's "`selector` does not match template `labels`").
import { describe, isRecord, type ValidationContext } from './context.js';
import { checkArray, checkEnum, checkPort, checkProtocol, isIANAServiceName } from './formats.js';

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

function checkCount(ctx: ValidationContext, field: string, v: unknown): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    ctx.error(field, `must be a non-negative integer, got ${describe(v)}`);
}

function checkLabels(ctx: ValidationContext, field: string, v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) {
    ctx.error(field, `must be a map of strings, got ${describe(v)}`);
    return undefined;
  }
  for (const [k, val] of Object.entries(v))
    if (typeof val !== 'string') ctx.error(`${field}.${k}`, `must be a string, got ${describe(val)}`);
  return v as Record<string, string>;
}

/** Does a label selector select `labels`? (matchLabels and matchExpressions, ANDed.) */
export function selectorMatches(sel: Record<string, unknown>, labels: Record<string, string>): boolean {
  const ml = isRecord(sel.matchLabels) ? sel.matchLabels : {};
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  for (const e of exprs) {
    if (!isRecord(e) || typeof e.key !== 'string') return false;
    const has = Object.hasOwn(labels, e.key);
    const values = Array.isArray(e.values) ? e.values : [];
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key])) return false;
  }
  return true;
}

function checkSelector(ctx: ValidationContext, field: string, v: unknown, required: boolean): boolean {
  if (v === undefined || v === null) {
    if (required) ctx.error(field, 'required');
    return false;
  }
  if (!isRecord(v)) {
    ctx.error(field, `must be an object with matchLabels or matchExpressions, got ${describe(v)}`);
    return false;
  }
  checkLabels(ctx, `${field}.matchLabels`, v.matchLabels);
  if (checkArray(ctx, `${field}.matchExpressions`, v.matchExpressions)) {
    (v.matchExpressions as unknown[]).forEach((e, i) => {
      const f = `${field}.matchExpressions[${i}]`;
      if (!isRecord(e) || typeof e.key !== 'string') return ctx.error(f, `must have a string key, got ${describe(e)}`);
      checkEnum(ctx, `${f}.operator`, e.operator, OPERATORS);
    });
  }
  const empty = Object.keys(isRecord(v.matchLabels) ? v.matchLabels : {}).length === 0 && !v.matchExpressions;
  if (empty && required) ctx.error(field, 'empty selector is invalid for deployment');
  return !empty;
}

export function validatePodSpec(ctx: ValidationContext, field: string, spec: unknown): void {
  if (spec === undefined) return;
  if (!isRecord(spec)) {
    ctx.error(field, `must be an object, got ${describe(spec)}`);
    return;
  }
  checkLabels(ctx, `${field}.nodeSelector`, spec.nodeSelector);
  if (!checkArray(ctx, `${field}.containers`, spec.containers)) return;
  (spec.containers as unknown[]).forEach((c, i) => {
    const cf = `${field}.containers[${i}]`;
    if (!isRecord(c)) return ctx.error(cf, `must be an object, got ${describe(c)}`);
    if (!checkArray(ctx, `${cf}.ports`, c.ports)) return;
    (c.ports as unknown[]).forEach((p, j) => {
      const pf = `${cf}.ports[${j}]`;
      if (!isRecord(p)) return ctx.error(pf, `must be an object, got ${describe(p)}`);
      checkPort(ctx, `${pf}.containerPort`, p.containerPort);
      if (p.protocol !== undefined) checkProtocol(ctx, `${pf}.protocol`, p.protocol);
      if (p.name !== undefined && (typeof p.name !== 'string' || !isIANAServiceName(p.name)))
        ctx.error(
          `${pf}.name`,
          `${describe(p.name)} must be an IANA service name (at most 15 lowercase letters, digits and '-')`,
        );
    });
  });
}

export function validateWorkload(ctx: ValidationContext, obj: Record<string, unknown>): void {
  const spec = obj.spec;
  if (!isRecord(spec)) {
    ctx.error('spec', 'required');
    return;
  }
  checkCount(ctx, 'spec.replicas', spec.replicas);
  checkCount(ctx, 'spec.parallelism', spec.parallelism);
  checkCount(ctx, 'spec.completions', spec.completions);
  if (spec.serviceName !== undefined && typeof spec.serviceName !== 'string')
    ctx.error('spec.serviceName', `must be a string, got ${describe(spec.serviceName)}`);
  const tpl = spec.template;
  if (!isRecord(tpl)) {
    ctx.error('spec.template', 'required');
    return;
  }
  const meta = isRecord(tpl.metadata) ? tpl.metadata : {};
  const labels = checkLabels(ctx, 'spec.template.metadata.labels', meta.labels) ?? {};
  validatePodSpec(ctx, 'spec.template.spec', tpl.spec);
  const hasSelector = checkSelector(ctx, 'spec.selector', spec.selector, obj.kind !== 'Job');
  if (hasSelector && !selectorMatches(spec.selector as Record<string, unknown>, labels))
    ctx.error('spec.template.metadata.labels', `${describe(labels)}: \`selector\` does not match template \`labels\``);
}
