import fs from 'node:fs';
import path from 'node:path';
import { parseXml } from '../shared/xml/parse';
import { evaluateXPath, xpathBoolean, xpathDocument, xpathString, xpathStrings, XPathUnsupported } from './xpath';

const CORPUS = path.resolve(__dirname, '../../shared/conformance/corpus');
/** A real toolkit log: TestResults/TestStep/StoredQueryTransaction/{InputMetadata,Result}. */
const log = xpathDocument(parseXml(fs.readFileSync(path.join(CORPUS, 'iti18/nist-wire/messagevalidator/sq-log.xml'))));

describe('XPath subset', () => {
  it('evaluates the corpus assertion shapes against a toolkit log', () => {
    expect(xpathBoolean("//*[local-name()='ExtrinsicObject']/@status = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved'", log)).toBe(true);
    expect(xpathBoolean("//*[local-name()='ExtrinsicObject']/@status = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated'", log)).toBe(false);
    expect(evaluateXPath("count(//TestStep[@id='leafclass']//*[local-name()='ExtrinsicObject'])", log)).toBe(5);
    expect(xpathBoolean("count(//TestStep[@id='other']//*[local-name()='ExtrinsicObject']) = 0", log)).toBe(true);
    expect(
      xpathString(
        "substring(//TestStep[@id=\"leafclass\"]/StoredQueryTransaction/Result/*[local-name()='AdhocQueryResponse']/*[local-name()='RegistryObjectList']/*[local-name()='ExtrinsicObject']/*[local-name()='Slot'][@name='creationTime']/*[local-name()='ValueList']/*[local-name()='Value'],1,4)",
        log,
      ),
    ).toMatch(/^\d{4}$/);
  });

  it('selects attributes and element text for reports, first node first', () => {
    const ids = xpathStrings("//*[local-name()='ExtrinsicObject']/@id", log);
    expect(ids).toHaveLength(5);
    expect(xpathString("//*[local-name()='ExtrinsicObject']/@id", log)).toBe(ids[0]);
    expect(xpathString("//*[local-name()='ExtrinsicObject'][2]/@id", log)).toBe(ids[1]);
    expect(xpathString("//*[local-name()='ExtrinsicObject']/*[local-name()='Slot'][@name='creationTime']/*[local-name()='ValueList']/*[local-name()='Value']", log)).toMatch(/^\d+$/);
  });

  it('handles descendant:: and "and" inside predicates (the folid report)', () => {
    const md = xpathDocument(
      parseXml(
        `<r xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><rim:RegistryPackage id="SS"><rim:ExternalIdentifier identificationScheme="urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"/></rim:RegistryPackage>` +
          `<rim:RegistryPackage id="F"><rim:ExternalIdentifier identificationScheme="urn:uuid:f64ffdf0-4b97-4e06-b79f-a52b38ec2f8a"/></rim:RegistryPackage></r>`,
      ),
    );
    expect(
      xpathString("//*[local-name()='RegistryPackage' and descendant::*[local-name()='ExternalIdentifier'][@identificationScheme='urn:uuid:f64ffdf0-4b97-4e06-b79f-a52b38ec2f8a']]/@id", md),
    ).toBe('F');
  });

  it('compares like XPath 1.0: node-sets existentially, < and != on numbers and strings', () => {
    const doc = xpathDocument(parseXml('<a><b>1</b><b>3</b></a>'));
    expect(xpathBoolean('/a/b = 3', doc)).toBe(true);
    expect(xpathBoolean("/a/b = '2'", doc)).toBe(false);
    expect(xpathBoolean("'20240101120000' < '20240101120001'", doc)).toBe(true);
    expect(xpathBoolean("'20240101120000' != '20240101120000'", doc)).toBe(false);
    expect(xpathBoolean('not(/a/c) and count(/a/b) >= 2', doc)).toBe(true);
    expect(xpathBoolean('/a/b[last()] = 3 or false()', doc)).toBe(true);
    // unprefixed names match only no-namespace elements
    expect(xpathBoolean('count(/x) = 0', xpathDocument(parseXml('<x xmlns="urn:n"/>')))).toBe(true);
  });

  it('refuses what it does not implement instead of guessing', () => {
    const doc = xpathDocument(parseXml('<a/>'));
    expect(() => evaluateXPath('sum(//a)', doc)).toThrow(XPathUnsupported);
    expect(() => evaluateXPath('//rim:a', doc)).toThrow(XPathUnsupported);
    expect(() => evaluateXPath('following-sibling::a', doc)).toThrow(XPathUnsupported);
    expect(() => evaluateXPath("'open", doc)).toThrow(XPathUnsupported);
  });
});
