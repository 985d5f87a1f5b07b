/** One HTTP POST with exactly the headers and bytes given (verbatim replays need that), over loopback. */
import http from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  elapsedMs: number;
}

export interface HttpRequest {
  url: string;
  contentType: string;
  body: Buffer;
  extraHeaders?: Record<string, string>;
  timeoutMs?: number;
}

export function postBytes(req: HttpRequest): Promise<HttpAnswer> {
  const started = Date.now();
  const url = new URL(req.url);
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { 'Content-Type': req.contentType, 'Content-Length': String(req.body.length), ...(req.extraHeaders ?? {}) },
        timeout: req.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks), elapsedMs: Date.now() - started });
        });
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer from ${req.url} within ${req.timeoutMs ?? 60_000} ms`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

export async function postJson(url: string, value: unknown): Promise<HttpAnswer> {
  return postBytes({ url, contentType: 'application/json', body: Buffer.from(JSON.stringify(value), 'utf8') });
}
