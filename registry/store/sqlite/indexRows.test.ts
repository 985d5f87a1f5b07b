import { author, code, identifier, makeAssociation, makeDocumentEntry, makeFolder, makeSubmissionSet } from '../testFixtures';
import { associationColumns, childRows, documentEntryColumns, dtmColumn, folderColumns, padDtm, submissionSetColumns } from './indexRows';

describe('index rows of stored objects', () => {
  it('pads DTMs to 14 digits and leaves full ones alone', () => {
    expect(padDtm('2024')).toBe('20240000000000');
    expect(padDtm('202406')).toBe('20240600000000');
    expect(padDtm('20240615103000')).toBe('20240615103000');
    expect(dtmColumn(['20240615', '1999'])).toBe('20240615000000');
    expect(dtmColumn(undefined)).toBeNull();
    expect(dtmColumn([])).toBeNull();
    expect(dtmColumn([''])).toBeNull();
  });

  it('DocumentEntry columns: lowercased lid, padded times, NULL for what is absent', () => {
    const de = makeDocumentEntry({ lid: 'urn:uuid:ABCDEF00-0000-4000-8000-000000000000', creationTime: ['2024'], serviceStopTime: undefined, uniqueId: undefined });
    expect(documentEntryColumns(de)).toEqual({
      unique_id: null,
      lid: 'urn:uuid:abcdef00-0000-4000-8000-000000000000',
      patient_id: de.patientId?.value,
      status: de.status,
      object_type: de.objectType,
      creation_time: '20240000000000',
      service_start_time: '20240130000000',
      service_stop_time: null,
    });
  });

  it('SubmissionSet, Folder and Association columns', () => {
    const ss = makeSubmissionSet({ sourceId: identifier('1.2.3', 'x'), submissionTime: ['20240201093000'] });
    expect(submissionSetColumns(ss)).toMatchObject({ source_id: '1.2.3', submission_time: '20240201093000', unique_id: ss.uniqueId?.value });
    const folder = makeFolder({ lastUpdateTime: ['202402'] });
    expect(folderColumns(folder)).toMatchObject({ last_update_time: '20240200000000', unique_id: folder.uniqueId?.value, patient_id: folder.patientId?.value });
    const assoc = makeAssociation('urn:uuid:AAAAAAAA-0000-4000-8000-000000000000', 'urn:uuid:BBBBBBBB-0000-4000-8000-000000000000');
    expect(associationColumns(assoc)).toEqual({
      association_type: assoc.associationType,
      source_uuid: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000000',
      target_uuid: 'urn:uuid:bbbbbbbb-0000-4000-8000-000000000000',
      status: assoc.status,
    });
  });

  it('DocumentEntry child rows: every coded attribute under its kind, author persons, reference ids', () => {
    const de = makeDocumentEntry({
      eventCodes: [code('e1', 'S'), code('e2', 'S')],
      confidentialityCodes: [code('N', 'C'), code('R', 'C')],
      authors: [author('^A^^^^'), author(undefined), author('^B^^^^')],
      referenceIds: ['r1', 'r2'],
      practiceSettingCode: undefined,
    });
    const rows = childRows(de);
    expect(rows.codes).toEqual([
      { kind: 'class', code: de.classCode?.code, scheme: de.classCode?.scheme },
      { kind: 'type', code: de.typeCode?.code, scheme: de.typeCode?.scheme },
      { kind: 'hcft', code: de.healthcareFacilityTypeCode?.code, scheme: de.healthcareFacilityTypeCode?.scheme },
      { kind: 'format', code: de.formatCode?.code, scheme: de.formatCode?.scheme },
      { kind: 'event', code: 'e1', scheme: 'S' },
      { kind: 'event', code: 'e2', scheme: 'S' },
      { kind: 'confidentiality', code: 'N', scheme: 'C' },
      { kind: 'confidentiality', code: 'R', scheme: 'C' },
    ]);
    expect(rows.authorPersons).toEqual(['^A^^^^', '^B^^^^']);
    expect(rows.referenceIds).toEqual(['r1', 'r2']);
  });

  it('SubmissionSet, Folder and Association child rows', () => {
    const ss = makeSubmissionSet({ contentTypeCode: code('ct', 'S'), authors: [author('^S^^^^')] });
    expect(childRows(ss)).toEqual({ codes: [{ kind: 'contentType', code: 'ct', scheme: 'S' }], authorPersons: ['^S^^^^'], referenceIds: [] });
    const folder = makeFolder({ codes: [code('f1', 'F'), code('f2', 'F')] });
    expect(childRows(folder).codes).toEqual([
      { kind: 'folderCode', code: 'f1', scheme: 'F' },
      { kind: 'folderCode', code: 'f2', scheme: 'F' },
    ]);
    expect(childRows(makeAssociation('a', 'b'))).toEqual({ codes: [], authorPersons: [], referenceIds: [] });
  });
});
