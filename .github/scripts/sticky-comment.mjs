#!/usr/bin/env node
// Creates or updates ONE comment on the pull request of this workflow run: the first comment whose
// body contains the marker is edited in place, so every push updates the same plan instead of adding
// another comment. Plain fetch against the REST API, so it runs (and is tested) anywhere Node 22 does.
//
// Usage: node .github/scripts/sticky-comment.mjs BODY_FILE [--marker '<!-- mig-plan -->']
// Environment (set by GitHub Actions): GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, and
// GITHUB_TOKEN (pass it from secrets.GITHUB_TOKEN, with permissions: pull-requests: write).
// Writes comment_id, comment_url and comment_action (created | updated) to $GITHUB_OUTPUT when set.
import { appendFileSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const DEFAULT_MARKER = '<!-- mig-plan -->';
/** GitHub refuses comment bodies longer than this. */
const MAX_BODY = 65536;

export class CommentError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

function required(env, name) {
  const v = env[name];
  if (!v) throw new CommentError(`${name} is not set: run this in a GitHub Actions job, or set it as Actions would`);
  return v;
}

/** The pull request this run is about, from the event payload. */
export function pullRequestNumber(event) {
  const n = event?.pull_request?.number ?? event?.issue?.number ?? event?.number;
  if (!Number.isInteger(n)) throw new CommentError('the event has no pull request number: run this on pull_request events');
  return n;
}

export function fitBody(body, marker) {
  const withMarker = body.includes(marker) ? body : `${marker}\n${body}`;
  if (withMarker.length <= MAX_BODY) return withMarker;
  const note = '\n\n… cut to fit GitHub\'s comment size limit; the workflow run\'s summary has the whole plan.\n';
  return withMarker.slice(0, MAX_BODY - note.length) + note;
}

async function api(ctx, method, path, body) {
  const res = await ctx.fetch(`${ctx.apiUrl}${path}`, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${ctx.token}`,
      'x-github-api-version': '2022-11-28',
      'user-agent': 'mig-sticky-comment',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    let detail = text.slice(0, 300);
    try {
      detail = JSON.parse(text).message ?? detail;
    } catch {
      // not JSON: keep the text
    }
    throw new CommentError(`${method} ${path}: HTTP ${res.status}: ${detail}`, res.status);
  }
  return text === '' ? undefined : JSON.parse(text);
}

/** The first comment of the pull request that carries the marker, walking every page. */
async function findComment(ctx, number, marker) {
  for (let page = 1; ; page++) {
    const comments = await api(ctx, 'GET', `/repos/${ctx.repo}/issues/${number}/comments?per_page=100&page=${page}`);
    const hit = comments.find((c) => typeof c.body === 'string' && c.body.includes(marker));
    if (hit) return hit;
    if (comments.length < 100) return undefined;
  }
}

/** Creates or updates the comment; returns what was done. */
export async function upsertComment({ env = process.env, body, marker = DEFAULT_MARKER, fetchImpl = globalThis.fetch }) {
  const ctx = {
    apiUrl: required(env, 'GITHUB_API_URL').replace(/\/+$/, ''),
    repo: required(env, 'GITHUB_REPOSITORY'),
    token: required(env, 'GITHUB_TOKEN'),
    fetch: fetchImpl,
  };
  const event = JSON.parse(readFileSync(required(env, 'GITHUB_EVENT_PATH'), 'utf8'));
  const number = pullRequestNumber(event);
  const text = fitBody(body, marker);
  const existing = await findComment(ctx, number, marker);
  if (existing) {
    const c = await api(ctx, 'PATCH', `/repos/${ctx.repo}/issues/comments/${existing.id}`, { body: text });
    return { action: 'updated', id: c.id, url: c.html_url };
  }
  const c = await api(ctx, 'POST', `/repos/${ctx.repo}/issues/${number}/comments`, { body: text });
  return { action: 'created', id: c.id, url: c.html_url };
}

function isForkPullRequest(env) {
  try {
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? '', 'utf8'));
    const head = event?.pull_request?.head?.repo?.full_name;
    return head !== undefined && head !== env.GITHUB_REPOSITORY;
  } catch {
    return false;
  }
}

async function main(argv) {
  const args = argv.slice(2);
  let marker = DEFAULT_MARKER;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--marker') marker = args[++i] ?? '';
    else files.push(args[i]);
  }
  if (files.length !== 1 || marker === '') {
    process.stderr.write('usage: sticky-comment.mjs BODY_FILE [--marker TEXT]\n');
    return 2;
  }
  try {
    const result = await upsertComment({ body: readFileSync(files[0], 'utf8'), marker });
    process.stdout.write(`${result.action} comment ${result.id}${result.url ? ` (${result.url})` : ''}\n`);
    if (process.env.GITHUB_OUTPUT) {
      appendFileSync(process.env.GITHUB_OUTPUT, `comment_id=${result.id}\ncomment_url=${result.url ?? ''}\ncomment_action=${result.action}\n`);
    }
    return 0;
  } catch (err) {
    // A pull request from a fork gets a read-only token: the plan is still in the run's summary.
    if (err instanceof CommentError && err.status === 403 && isForkPullRequest(process.env)) {
      process.stdout.write(`::warning::cannot comment on a pull request from a fork (read-only token); the plan is in the run summary\n`);
      return 0;
    }
    process.stdout.write(`::error::sticky comment: ${err.message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv);
}
