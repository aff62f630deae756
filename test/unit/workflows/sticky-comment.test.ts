// The sticky-comment script's API use, against a fetch that plays GitHub: the marker found on any
// page, created when absent, oversize bodies cut, failures reported with GitHub's message.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @ts-expect-error plain JavaScript, run by the workflow as it is
import { fitBody, upsertComment } from '../../../.github/scripts/sticky-comment.mjs';

interface Call { method: string; url: string; body?: string }
type Comment = { id: number; body: string; html_url: string };

function fakeFetch(comments: Comment[], calls: Call[], fail?: { status: number; message: string }) {
  return async (url: string, init: { method: string; body?: string; headers: Record<string, string> }) => {
    calls.push({ method: init.method, url, body: init.body });
    const json = (status: number, v: unknown) => new Response(JSON.stringify(v), { status });
    if (fail) return json(fail.status, { message: fail.message });
    const u = new URL(url);
    if (init.method === 'GET') {
      const page = Number(u.searchParams.get('page'));
      return json(200, comments.slice((page - 1) * 100, page * 100));
    }
    const body = (JSON.parse(init.body ?? '{}') as { body: string }).body;
    if (init.method === 'POST') return json(201, { id: 1, body, html_url: 'u' });
    return json(200, { id: Number(u.pathname.split('/').pop()), body, html_url: 'u' });
  };
}

function env() {
  const dir = mkdtempSync(path.join(tmpdir(), 'mig-sticky-'));
  const event = path.join(dir, 'event.json');
  writeFileSync(event, JSON.stringify({ pull_request: { number: 5 } }));
  return { GITHUB_API_URL: 'http://api.test/', GITHUB_REPOSITORY: 'o/r', GITHUB_TOKEN: 't', GITHUB_EVENT_PATH: event };
}

const others = (n: number): Comment[] => Array.from({ length: n }, (_, i) => ({ id: i + 1, body: `comment ${i}`, html_url: '' }));

describe('sticky comment', () => {
  it('finds the marked comment on a later page and edits it', async () => {
    const calls: Call[] = [];
    const comments = [...others(150), { id: 999, body: '<!-- mig-plan -->\nold', html_url: '' }];
    const r = await upsertComment({ env: env(), body: '<!-- mig-plan -->\nnew', fetchImpl: fakeFetch(comments, calls) });
    expect(r).toEqual({ action: 'updated', id: 999, url: 'u' });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET http://api.test/repos/o/r/issues/5/comments?per_page=100&page=1',
      'GET http://api.test/repos/o/r/issues/5/comments?per_page=100&page=2',
      'PATCH http://api.test/repos/o/r/issues/comments/999',
    ]);
  });

  it('creates the comment when none carries the marker, adding the marker if the body lacks it', async () => {
    const calls: Call[] = [];
    const r = await upsertComment({ env: env(), body: 'plan', fetchImpl: fakeFetch(others(3), calls) });
    expect(r.action).toBe('created');
    expect(JSON.parse(calls[1]!.body!)).toEqual({ body: '<!-- mig-plan -->\nplan' });
  });

  it('cuts a body over GitHub\'s limit and says so', () => {
    const cut = fitBody(`<!-- mig-plan -->\n${'x'.repeat(70_000)}`, '<!-- mig-plan -->');
    expect(cut.length).toBeLessThanOrEqual(65_536);
    expect(cut).toContain('cut to fit');
  });

  it('reports the HTTP status and GitHub\'s message, and what is missing from the environment', async () => {
    await expect(upsertComment({ env: env(), body: 'x', fetchImpl: fakeFetch([], [], { status: 403, message: 'Resource not accessible by integration' }) })).rejects.toThrow(
      /HTTP 403: Resource not accessible by integration/,
    );
    await expect(upsertComment({ env: { ...env(), GITHUB_TOKEN: '' }, body: 'x', fetchImpl: fakeFetch([], []) })).rejects.toThrow(/GITHUB_TOKEN is not set/);
  });
});
