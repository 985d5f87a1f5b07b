import path from 'node:path';
import { buildTestkitIndex, readListFile, resolvePlanFile, resolveTestdir, type TestkitIndex } from './testkitIndex';

const CORPUS = path.resolve(__dirname, '../../shared/conformance/corpus');

describe('testkit index', () => {
  let index: TestkitIndex;
  beforeAll(() => {
    index = buildTestkitIndex(CORPUS);
  });

  it('indexes tests and data sets of every transaction folder by id', () => {
    expect(index.get('11990')?.corpusPath).toBe(path.join('iti42', 'nist-testkit', '11990'));
    expect(index.get('12346')?.corpusPath).toBe(path.join('iti18', 'nist-testkit', '12346'));
    expect(index.get('11996')?.corpusPath).toBe(path.join('negative', 'nist-testkit', '11996'));
    expect(index.get('Submit_and_Replace')?.kind).toBe('testdata');
    expect(index.get('11990')?.collections).toEqual(expect.arrayContaining(['R.b', 'reg']));
    expect(index.get('11990')?.title).not.toBe('');
  });

  it('reads index.idx trimmed (CRLF, trailing blanks) and keeps un-indexed sections apart', () => {
    expect(index.get('12368')?.sections[0]).toBe('doc_leafclass');
    expect(index.get('15816')?.sections).toEqual(['Register_Stable', 'PnR']);
    expect(index.get('15816')?.unindexedSections).toEqual(['Retrieve']);
    expect(index.get('12379')?.unindexedSections).toEqual(['no_support']);
    expect(index.get('Patient_1000_Documents_in_Folder')?.sections).toEqual(['']);
  });

  it('resolves testdir to sibling sections and to sections of other tests', () => {
    expect(resolveTestdir(index, { testId: '11990', section: 'eval' }, '../submit')).toEqual({ testId: '11990', section: 'submit' });
    expect(resolveTestdir(index, { testId: '11897', section: 'approved' }, '../../12346/single_doc')).toEqual({ testId: '12346', section: 'single_doc' });
    expect(resolveTestdir(index, { testId: '12368', section: 'doc_leafclass' }, '../../12374/submit_doc')).toEqual({ testId: '12374', section: 'submit_doc' });
    expect(resolveTestdir(index, { testId: '12004', section: 'submit' }, undefined)).toEqual({ testId: '12004', section: 'submit' });
    // 12021/retrieve writes testdir="submit" (relative to the test, not the section)
    expect(resolveTestdir(index, { testId: '12021', section: 'retrieve' }, 'submit')).toEqual({ testId: '12021', section: 'submit' });
    expect(() => resolveTestdir(index, { testId: '11990', section: 'eval' }, '../nowhere')).toThrow(/no known test section/);
  });

  it('finds plan files in the section first, then in the test folder', () => {
    const entry = index.get('12360');
    if (!entry) throw new Error('12360 missing');
    expect(resolvePlanFile(entry, 'retrieve', '../submit/my_document.txt')).toMatch(/12360[\\/]submit[\\/]my_document\.txt$/);
    const e12029 = index.get('12029');
    if (!e12029) throw new Error('12029 missing');
    expect(resolvePlanFile(e12029, 'retrieve', 'submit/my_document.pdf')).toMatch(/12029[\\/]submit[\\/]my_document\.pdf$/);
  });

  it('splits list files on lines and blanks', () => {
    expect(readListFile(path.join(CORPUS, 'negative/nist-testkit/12369/collections.txt'))).toEqual(['PR.b', 'repositoryb', 'rep']);
    expect(readListFile(path.join(CORPUS, 'no/such/file'))).toEqual([]);
  });
});
