// The DNS area's error kind (code KP_DNS, declared in src/errors.ts).
import { KubeplaneError } from '../errors.js';

export class DnsError extends KubeplaneError {
  readonly code = 'KP_DNS' as const;
  override readonly isInputError: boolean;
  constructor(message: string, inputError: boolean, options?: ErrorOptions) {
    super(message, options);
    this.isInputError = inputError;
  }
}
