/**
 * Errors a client can cause, carried as IHE RegistryErrors (digest section 5), and SOAP faults.
 */
export type Severity = 'Error' | 'Warning';

export const SEVERITY_URN: Record<Severity, string> = {
  Error: 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error',
  Warning: 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning',
};

/** One rs:RegistryError. */
export interface RegistryError {
  /** The exact IHE error code, e.g. XDSRegistryMetadataError. */
  errorCode: string;
  /** Human-readable: names the object, the attribute and the offending value. */
  codeContext: string;
  severity: Severity;
  /** Optional: the offending object id or the reporting component. */
  location?: string;
}

export function registryError(errorCode: string, codeContext: string, location?: string, severity: Severity = 'Error'): RegistryError {
  return location === undefined ? { errorCode, codeContext, severity } : { errorCode, codeContext, severity, location };
}

/** Thrown inside transaction logic to abort with one or more RegistryErrors (status Failure). */
export class XdsError extends Error {
  readonly errors: RegistryError[];
  constructor(errors: RegistryError | RegistryError[]) {
    const list = Array.isArray(errors) ? errors : [errors];
    super(list.map((e) => `${e.errorCode}: ${e.codeContext}`).join('; '));
    this.name = 'XdsError';
    this.errors = list;
  }
}

/** SOAP 1.2 fault codes (env:Sender → HTTP 400, env:Receiver → 500, VersionMismatch → 400, MustUnderstand → 400). */
export type FaultCode = 'Sender' | 'Receiver' | 'VersionMismatch' | 'MustUnderstand';

/** Thrown when a message cannot be processed as an XDS transaction at all: answered with a SOAP 1.2 Fault. */
export class SoapFault extends Error {
  readonly code: FaultCode;
  /** Optional subcode QName, e.g. wsa:ActionNotSupported. */
  readonly subcode?: { ns: string; local: string };
  constructor(code: FaultCode, reason: string, subcode?: { ns: string; local: string }) {
    super(reason);
    this.name = 'SoapFault';
    this.code = code;
    if (subcode) this.subcode = subcode;
  }
  get httpStatus(): number {
    return this.code === 'Receiver' ? 500 : 400;
  }
}

/** Input that breaks a hard limit (size, depth, element count, parts): refused as a Sender fault. */
export class LimitError extends SoapFault {
  constructor(reason: string) {
    super('Sender', reason);
    this.name = 'LimitError';
  }
}
