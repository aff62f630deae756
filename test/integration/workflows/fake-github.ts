// A stand-in for the part of GitHub's REST API the sticky-comment script uses: list, create and edit
// the comments of one pull request. It records every call so a test can tell "created another
// comment" from "updated the one it made before".
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Comment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; type: string };
}

export interface ApiCall {
  method: string;
  path: string;
  body?: { body?: string };
}

export interface FakeGitHub {
  url: string;
  calls: ApiCall[];
  /** Comments per pull request number. */
  comments: Map<number, Comment[]>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

export async function startFakeGitHub(opts: { repo: string; token: string; pageSize?: number }): Promise<FakeGitHub> {
  const calls: ApiCall[] = [];
  const comments = new Map<number, Comment[]>();
  let nextId = 1000;
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const url = new URL(req.url ?? '/', 'http://fake');
    const text = await readBody(req);
    const body = text ? (JSON.parse(text) as { body?: string }) : undefined;
    calls.push({ method: req.method ?? '', path: url.pathname + url.search, body });
    if (req.headers.authorization !== `Bearer ${opts.token}`) return send(401, { message: 'Bad credentials' });
    if (req.headers['x-github-api-version'] !== '2022-11-28') return send(400, { message: 'missing API version' });
    const prefix = `/repos/${opts.repo}/issues/`;
    if (!url.pathname.startsWith(prefix)) return send(404, { message: 'Not Found' });
    const rest = url.pathname.slice(prefix.length);
    const list = /^(\d+)\/comments$/.exec(rest);
    if (list && req.method === 'GET') {
      const all = comments.get(Number(list[1])) ?? [];
      const per = Math.min(Number(url.searchParams.get('per_page') ?? 30), opts.pageSize ?? 100);
      const page = Number(url.searchParams.get('page') ?? 1);
      return send(200, all.slice((page - 1) * per, page * per));
    }
    if (list && req.method === 'POST') {
      if (typeof body?.body !== 'string') return send(422, { message: 'body is required' });
      const n = Number(list[1]);
      const c: Comment = { id: nextId++, body: body.body, html_url: `https://github.example/${opts.repo}/pull/${n}#issuecomment-${nextId}`, user: { login: 'github-actions[bot]', type: 'Bot' } };
      comments.set(n, [...(comments.get(n) ?? []), c]);
      return send(201, c);
    }
    const edit = /^comments\/(\d+)$/.exec(rest);
    if (edit && req.method === 'PATCH') {
      const c = [...comments.values()].flat().find((x) => x.id === Number(edit[1]));
      if (!c) return send(404, { message: 'Not Found' });
      if (typeof body?.body !== 'string') return send(422, { message: 'body is required' });
      c.body = body.body;
      return send(200, c);
    }
    return send(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    comments,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
