/** Application logs: one JSON line per request with a correlation id, and no patient ids or metadata values. */
import { Writable } from 'node:stream';
import winston from 'winston';
import { createHash } from 'node:crypto';
import { startRegistry } from '../registry/main';
import { ACTION } from '../shared/xds/constants';
import { testConfig } from './helpers/services';
import { postSoap } from './helpers/soapClient';
import { newPatientId, newUid, submitObjectsRequestXml } from './helpers/metadata';

it('logs each request with a correlation id and never the patient id or document metadata', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream: sink })] });
  const registry = await startRegistry(testConfig(), logger);
  try {
    const patientId = newPatientId();
    const uniqueId = newUid();
    const ok = submitObjectsRequestXml({ patientId, ssUniqueId: newUid(), documents: [{ id: 'D', uniqueId, hash: createHash('sha1').update('x').digest('hex'), size: '1', repositoryUniqueId: '1.2.3', title: 'Secret diagnosis title' }] });
    await postSoap(registry.url, ACTION.iti42, ok);
    await postSoap(registry.url, ACTION.iti42, ok.replace(/creationTime/, 'creationTimeX'));
    const requestLines = lines.filter((l) => l.includes('"soap request"'));
    expect(requestLines).toHaveLength(2);
    for (const l of requestLines) expect(JSON.parse(l).correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const all = lines.join('\n');
    expect(all).not.toContain(patientId.split('^')[0]);
    expect(all).not.toContain(uniqueId);
    expect(all).not.toContain('Secret diagnosis');
    expect(all).toContain('XDSRegistryMetadataError');
  } finally {
    await registry.close();
  }
});
