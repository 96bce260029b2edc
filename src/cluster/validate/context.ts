// Collects every problem in one object; validators never stop at the first.
import { ManifestError, type ManifestLocation } from '../../errors.js';
import type { RawDocument } from '../documents.js';

export interface ManifestWarning {
  at: ManifestLocation;
  message: string;
}

export class ValidationContext {
  readonly errors: ManifestError[] = [];
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

  warn(field: string, message: string): void {
    this.warnings.push({ at: this.at(field), message });
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
