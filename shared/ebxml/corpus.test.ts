/**
 * Every ebRIM 3.0 message of the conformance corpus: parse → build → parse gives the same wire objects.
 * The covered count is asserted against a measured floor so coverage cannot silently drop.
 */
import { XdsError } from '../errors';
import { parseXml } from '../xml/parse';
import { scanCorpus, type CorpusMessage } from './testSupport/corpus';
import { CODECS, EXPECTED_REJECTIONS } from './testSupport/messages';

// Measured: 282 ebRIM 3.0 message files, 9 of them rejected on purpose (EXPECTED_REJECTIONS).
const ROUND_TRIP_FLOOR = 270;

const { messages } = scanCorpus();
const accepted = messages.filter((m) => !(m.file in EXPECTED_REJECTIONS));

function roundTripFailure(m: CorpusMessage): string | undefined {
  const codec = CODECS[m.kind];
  try {
    const first = codec.parse(m.body);
    const second = codec.parse(parseXml(codec.build(first)));
    expect(second).toEqual(first);
    return undefined;
  } catch (e) {
    return `${m.file}: ${(e as Error).message.slice(0, 500)}`;
  }
}

describe('ebRIM 3.0 corpus round trip (parse → build → parse)', () => {
  it(`covers ${accepted.length} corpus messages (floor ${ROUND_TRIP_FLOOR}) across all message kinds`, () => {
    expect(accepted.length).toBeGreaterThanOrEqual(ROUND_TRIP_FLOOR);
    const kinds = new Set(accepted.map((m) => m.kind));
    for (const k of ['SubmitObjectsRequest', 'ProvideAndRegisterDocumentSetRequest', 'AdhocQueryRequest', 'AdhocQueryResponse', 'RegistryResponse', 'RetrieveDocumentSetRequest', 'RetrieveDocumentSetResponse']) {
      expect(kinds).toContain(k);
    }
  });

  // RemoveObjectsRequest has no corpus file; parse.test.ts and build.test.ts cover it.
  it.each([...new Set(accepted.map((m) => m.kind))])('%s messages round-trip to equal wire objects', (kind) => {
    const failures = accepted.filter((m) => m.kind === kind).map(roundTripFailure).filter((f) => f !== undefined);
    expect(failures).toEqual([]);
  });

  it('rejects exactly the expected corpus messages, each with a metadata error naming the problem', () => {
    const rejected: Record<string, string> = {};
    for (const m of messages) {
      try {
        CODECS[m.kind].parse(m.body);
      } catch (e) {
        expect(e).toBeInstanceOf(XdsError);
        expect((e as XdsError).errors[0].errorCode).toBe('XDSRegistryMetadataError');
        rejected[m.file] = (e as Error).message;
      }
    }
    expect(Object.keys(rejected).sort()).toEqual(Object.keys(EXPECTED_REJECTIONS).sort());
    for (const [file, reason] of Object.entries(EXPECTED_REJECTIONS)) expect(rejected[file]).toContain(reason);
  });
});
