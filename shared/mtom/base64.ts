/** Streaming decoder for Content-Transfer-Encoding: base64 (RFC 2045 6.8). Line breaks and blanks are skipped. */
import { SoapFault } from '../errors';

const NOT_ALPHABET = /[^A-Za-z0-9+/=]/;
const BLANKS = /[ \t\r\n]+/g;

export class Base64Decoder {
  /** Fewer than 4 alphabet characters carried to the next chunk. */
  private carry = '';
  private padded = false;

  /** @param where names the part in error messages. */
  constructor(private readonly where: string) {}

  /** Decodes whole 4-character groups of `input` (plus what was carried), carrying the rest. */
  push(input: Buffer): Buffer {
    let s = this.carry + input.toString('latin1');
    if (NOT_ALPHABET.test(s)) {
      s = s.replace(BLANKS, '');
      const bad = NOT_ALPHABET.exec(s);
      if (bad) {
        const hex = bad[0].charCodeAt(0).toString(16).padStart(2, '0');
        throw new SoapFault('Sender', `${this.where}: invalid byte 0x${hex} in base64 content`);
      }
    }
    const eq = this.padded ? 0 : s.indexOf('=');
    if (eq >= 0) {
      this.padded = true;
      if (/[^=]/.test(s.slice(eq))) throw new SoapFault('Sender', `${this.where}: base64 data continues after '=' padding`);
    }
    const whole = s.length - (s.length % 4);
    this.carry = s.slice(whole);
    return whole === 0 ? Buffer.alloc(0) : Buffer.from(s.slice(0, whole), 'base64');
  }

  /** Decodes what is left; 2-3 unpadded characters are accepted, a single one is a truncated group. */
  end(): Buffer {
    const rest = this.carry;
    this.carry = '';
    const dataLen = rest.includes('=') ? rest.indexOf('=') : rest.length;
    if (dataLen === 1) throw new SoapFault('Sender', `${this.where}: base64 content is truncated`);
    return rest.length === 0 ? Buffer.alloc(0) : Buffer.from(rest, 'base64');
  }
}
