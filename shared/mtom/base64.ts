/** Streaming decoder for Content-Transfer-Encoding: base64 (RFC 2045 6.8). Line breaks and blanks are skipped. */
import { SoapFault } from '../errors';

const DATA = 1;
const PAD = 2;
const SKIP = 3;
const CLASS = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') CLASS[c.charCodeAt(0)] = DATA;
CLASS['='.charCodeAt(0)] = PAD;
for (const c of ' \t\r\n') CLASS[c.charCodeAt(0)] = SKIP;

export class Base64Decoder {
  private carry: Buffer = Buffer.alloc(0);
  private padded = false;

  /** @param where names the part in error messages. */
  constructor(private readonly where: string) {}

  /** Decodes whole 4-character groups of `input` (plus what was carried), carrying the rest. */
  push(input: Buffer): Buffer {
    const work = Buffer.allocUnsafe(this.carry.length + input.length);
    this.carry.copy(work);
    let n = this.carry.length;
    for (let i = 0; i < input.length; i++) {
      const b = input[i];
      const cls = CLASS[b];
      if (cls === SKIP) continue;
      if (cls === DATA) {
        if (this.padded) throw new SoapFault('Sender', `${this.where}: base64 data continues after '=' padding`);
      } else if (cls === PAD) {
        this.padded = true;
      } else {
        throw new SoapFault('Sender', `${this.where}: invalid byte 0x${b.toString(16).padStart(2, '0')} in base64 content`);
      }
      work[n++] = b;
    }
    const whole = n - (n % 4);
    this.carry = Buffer.from(work.subarray(whole, n));
    return whole === 0 ? Buffer.alloc(0) : Buffer.from(work.toString('latin1', 0, whole), 'base64');
  }

  /** Decodes what is left; 2-3 unpadded characters are accepted, a single one is a truncated group. */
  end(): Buffer {
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    const dataLen = rest.indexOf('=') < 0 ? rest.length : rest.indexOf('=');
    if (dataLen === 1) throw new SoapFault('Sender', `${this.where}: base64 content is truncated`);
    return rest.length === 0 ? rest : Buffer.from(rest.toString('latin1'), 'base64');
  }
}
