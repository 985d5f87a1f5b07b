/**
 * The bare Node server behind the bench's ceilings, run in its own process (bench/harness.ts starts it):
 *
 *   POST /upload  streams the body to a file while computing its SHA-1, fsyncs the file, answers
 *                 {"bytes","sha1"}; the file stays until the run ends, as a stored document would: the least
 *                 work a durable ingest must do. Socket chunks
 *                 are gathered into 1 MiB writes (a write in flight while the next MiB arrives);
 *   GET  /file    sends CEILING_FILE (the large document) with a Content-Length, read 1 MiB at a time into two
 *                 buffers that are reused once the socket has taken them (no buffer allocated per read): the
 *                 least work a retrieve must do. (Until the product's ITI-43 learnt the same, this was a 1 MiB
 *                 read stream, which allocates a buffer per read; ITI-43 then beat it by 1.4-1.9x.)
 *   POST /upload-default, GET /file-default: the same with Node's default stream settings (every 64 KiB
 *                 socket chunk written on its own, 64 KiB reads), for comparison;
 *   POST /small   reads a small body, SHA-1s it, writes it to a new file and fsyncs it, answers the hash: the
 *                 least work one durable small submission must do (one fsync; the files stay until the run ends);
 *   GET  /health  200.
 *
 * Environment: CEILING_PORT, CEILING_DIR (where uploads land), CEILING_FILE. Loopback only.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';

const port = Number(process.env.CEILING_PORT);
const dir = process.env.CEILING_DIR ?? '';
const file = process.env.CEILING_FILE ?? '';
if (!Number.isInteger(port) || !dir || !file) {
  process.stderr.write('CEILING_PORT, CEILING_DIR and CEILING_FILE are required\n');
  process.exit(2);
}
const smallDir = path.join(dir, 'small');
fs.mkdirSync(smallDir, { recursive: true });

const IO_SIZE = 1024 * 1024;

/** Gathers chunks into writes of at least IO_SIZE bytes (one copy, far fewer write system calls). */
class Gather extends Transform {
  private parts: Buffer[] = [];
  private size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size < IO_SIZE) return cb();
    const out = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    cb(null, out);
  }
  override _flush(cb: TransformCallback): void {
    cb(null, this.size ? Buffer.concat(this.parts, this.size) : undefined);
  }
}

async function upload(req: http.IncomingMessage, res: http.ServerResponse, gather: boolean): Promise<void> {
  const target = path.join(dir, `${randomUUID()}.part`);
  const hash = createHash('sha1');
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  try {
    if (gather) await pipeline(req, new Gather(), fs.createWriteStream(target, { flush: true }));
    else await pipeline(req, fs.createWriteStream(target, { flush: true }));
  } catch (e) {
    fs.rmSync(target, { force: true });
    throw e;
  }
  const body = JSON.stringify({ bytes, sha1: hash.digest('hex') });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function small(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  const body = Buffer.concat(chunks);
  const sha1 = createHash('sha1').update(body).digest('hex');
  await fs.promises.writeFile(path.join(smallDir, randomUUID()), body, { flush: true });
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': sha1.length });
  res.end(sha1);
}

async function download(res: http.ServerResponse): Promise<void> {
  const size = fs.statSync(file).size;
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
  await pipeline(fs.createReadStream(file), res);
}

/** Two 1 MiB buffers: one being read into while the socket sends the other; a write's callback frees its buffer. */
async function downloadReusingBuffers(res: http.ServerResponse): Promise<void> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
    const free: Buffer[] = [Buffer.allocUnsafeSlow(IO_SIZE), Buffer.allocUnsafeSlow(IO_SIZE)];
    let wake: (() => void) | undefined;
    let failed: Error | undefined;
    res.once('close', () => {
      if (!res.writableFinished) failed ??= new Error('connection closed');
      wake?.();
    });
    for (let position = 0; position < size; ) {
      while (free.length === 0 && !failed) await new Promise<void>((resolve) => (wake = resolve));
      if (failed) throw failed;
      const buffer = free.pop() as Buffer;
      const length = Math.min(IO_SIZE, size - position);
      const { bytesRead } = await fh.read(buffer, 0, length, position);
      if (bytesRead !== length) throw new Error(`short read at ${position}`);
      position += length;
      res.write(length === IO_SIZE ? buffer : buffer.subarray(0, length), (err) => {
        if (err) failed = err;
        else free.push(buffer);
        wake?.();
      });
    }
    res.end();
    await finished(res);
  } finally {
    await fh.close();
  }
}

const server = http.createServer((req, res) => {
  const done = (e: unknown): void => {
    process.stderr.write(`ceiling server: ${e instanceof Error ? e.message : String(e)}\n`);
    if (!res.headersSent) res.writeHead(500).end();
    else res.destroy();
  };
  if (req.method === 'POST' && req.url === '/upload') upload(req, res, true).catch(done);
  else if (req.method === 'POST' && req.url === '/upload-default') upload(req, res, false).catch(done);
  else if (req.method === 'POST' && req.url === '/small') small(req, res).catch(done);
  else if (req.method === 'GET' && req.url === '/file') downloadReusingBuffers(res).catch(done);
  else if (req.method === 'GET' && req.url === '/file-default') download(res).catch(done);
  else if (req.method === 'GET' && req.url === '/health') res.writeHead(200).end('ok');
  else res.writeHead(404).end();
});
server.requestTimeout = 0;
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
