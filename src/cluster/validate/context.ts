// Collects every problem in one object; validators never stop at the first.
import { ManifestError, ManifestLimitError, type ManifestLocation } from '../../errors.js';
import type { RawDocument } from '../documents.js';
import { describeValue } from '../limits/describe.js';

export interface ManifestWarning {
  at: ManifestLocation;
  message: string;
}

export class ValidationContext {
  readonly errors: (ManifestError | ManifestLimitError)[] = [];
  readonly warnings: ManifestWarning[] = [];
  constructor(
    readonly doc: RawDocument,
    readonly kind: string | undefined,
    readonly object: string | undefined,
  ) {}

  private at(field: string): ManifestLocation {
    const item = this.doc.itemPath;
    const path = item ? (field === '(document)' ? item : `${item}.${field}`) : field;
    return {
      file: this.doc.file,
      document: this.doc.document,
      ...(this.kind !== undefined ? { kind: this.kind } : {}),
      ...(this.object !== undefined ? { object: this.object } : {}),
      field: path,
    };
  }

  error(field: string, problem: string): void {
    this.errors.push(new ManifestError(this.at(field), problem));
  }

  /** A list longer than the API server (or kubeplane) accepts: one error, and its items go unread. */
  limit(field: string, problem: string): void {
    this.errors.push(new ManifestLimitError(this.at(field), problem));
  }

  /** False (after recording a limit error) when `list` has more than `max` items. */
  withinLimit(field: string, list: readonly unknown[], max: number, why: string): boolean {
    if (list.length <= max) return true;
    this.limit(field, `${list.length} items; at most ${max} (${why})`);
    return false;
  }

  warn(field: string, message: string): void {
    this.warnings.push({ at: this.at(field), message });
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value for an error message: at most 60 characters, bounded work whatever the value. */
export function describe(v: unknown): string {
  return describeValue(v, 60);
}
