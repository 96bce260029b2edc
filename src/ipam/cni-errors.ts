// CNI error results: {cniVersion, code, msg, details} printed on stdout with a non-zero exit.
import { IpamError, type IpamErrorKind } from '../errors.js';

export const CNI_CODES = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  invalidEnv: 4,
  io: 5,
  decode: 6,
  invalidConfig: 7,
  tryAgain: 11,
  unavailable: 50,
  internal: 999,
} as const;

export class CniError extends Error {
  constructor(
    readonly cniCode: number,
    message: string,
    readonly details?: string,
  ) {
    super(message);
    this.name = 'CniError';
  }
}

const BY_KIND: Record<IpamErrorKind, number> = {
  'invalid-config': CNI_CODES.invalidConfig,
  'out-of-range': CNI_CODES.internal,
  exhausted: CNI_CODES.internal, // as host-local: 11 would make runtimes retry an ADD that cannot succeed
  duplicate: CNI_CODES.internal,
  unavailable: CNI_CODES.internal,
  'not-found': CNI_CODES.internal,
  'lock-timeout': CNI_CODES.tryAgain,
  io: CNI_CODES.io,
};

/** Any thrown value -> the CNI error to print (an untyped error is 999, as skel does). */
export function toCniError(err: unknown): CniError {
  if (err instanceof CniError) return err;
  if (err instanceof IpamError) return new CniError(BY_KIND[err.kind], err.message, err.details);
  return new CniError(CNI_CODES.internal, err instanceof Error ? err.message : String(err));
}

export function errorJson(err: CniError, cniVersion: string): string {
  const body: Record<string, unknown> = { cniVersion, code: err.cniCode, msg: err.message };
  if (err.details) body.details = err.details;
  return `${JSON.stringify(body)}\n`;
}
