import { Pool } from 'undici';

/** One HTTP answer, body read in full (a body left unread would hold its connection). */
export interface HttpAnswer {
  readonly status: number;
  readonly retryAfter?: string | undefined;
  readonly body: string;
}

/** How the pusher talks to one projector; tests put a fake in its place. */
export interface Transport {
  /** Rejects when no answer came (connection refused or reset, timeout). */
  post(path: string, body: string): Promise<HttpAnswer>;
  close(): Promise<void>;
}

const HEADERS = { 'content-type': 'application/json' };

/**
 * undici keep-alive pool to one projector, one connection per partition that may be in flight, no
 * pipelining: a slow client would make the projector look slow, and a request queued behind another
 * on the same socket would measure the queue, not the projector.
 */
export function createHttpTransport(baseUrl: string, connections: number): Transport {
  const url = new URL(baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
  });
  return {
    async post(path, body) {
      const res = await pool.request({ path: `${prefix}${path}`, method: 'POST', headers: HEADERS, body });
      const text = await res.body.text();
      const retryAfter = res.headers['retry-after'];
      return { status: res.statusCode, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, body: text };
    },
    close: () => pool.close(),
  };
}
