// Test-only: runs one call of the `soap` npm package (an independent SOAP stack) in a plain Node process, because
// the package loads its MTOM response parser with a dynamic import() that jest's VM cannot run.
// stdin: {"wsdl", "endpoint", "operation", "args", "attachments": [{mimetype, contentId, name, base64}], "mtom"}
// stdout: {"result", "rawRequest", "attachments": [{"headers", "base64"}]} or {"error"}
'use strict';
const { randomUUID } = require('node:crypto');
const soap = require('soap');

const WSA = 'http://www.w3.org/2005/08/addressing';

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const job = JSON.parse(input);
  const client = await soap.createClientAsync(job.wsdl, { forceSoap12Headers: true, endpoint: job.endpoint, parseReponseAttachments: true });
  client.addSoapHeader(
    (_method, location, action) =>
      `<wsa:Action xmlns:wsa="${WSA}">${action}</wsa:Action><wsa:MessageID xmlns:wsa="${WSA}">urn:uuid:${randomUUID()}</wsa:MessageID><wsa:To xmlns:wsa="${WSA}">${location}</wsa:To>`,
  );
  const port = client.DocumentRepository_Service.DocumentRepository_Port_Soap12;
  const options = {};
  if (job.mtom) options.forceMTOM = true;
  if (job.attachments && job.attachments.length) {
    options.attachments = job.attachments.map((a) => ({ mimetype: a.mimetype, contentId: a.contentId, name: a.name, body: Buffer.from(a.base64, 'base64') }));
  }
  const [result, , , rawRequest, mtom] = await new Promise((resolve, reject) =>
    port[job.operation](job.args, (err, ...rest) => (err ? reject(err) : resolve(rest)), options),
  );
  const parts = mtom && mtom.parts ? mtom.parts : [];
  process.stdout.write(
    JSON.stringify({ result, rawRequest: String(rawRequest), attachments: parts.map((p) => ({ headers: p.headers, base64: Buffer.from(p.body).toString('base64') })) }),
  );
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ error: e && e.message ? e.message : String(e) }));
});
