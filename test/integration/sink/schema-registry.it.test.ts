// The schema registry client against a real registry (scripts/registry.sh: Apicurio Registry's
// Confluent-compatible API): ids are stable per schema, subjects are separate, refusals and
// unreachable registries are errors a user can act on, and framed messages decode again.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import avsc from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import { frameConfluent, SchemaRegistry, unframeConfluent } from '../../../src/connectors/sinks/kafka/schema-registry.js';
import { MigError } from '../../../src/util/errors.js';
import { uniqueName } from '../helpers/env.js';

const REGISTRY_URL = process.env.MIG_TEST_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7';
const RECORD_AVSC = new URL('../../../schemas/dts-avro/Record.avsc', import.meta.url);

const small = {
  type: 'record',
  name: 'Row',
  namespace: 'mig.test',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: ['null', 'string'], default: null },
  ],
};

type AvroSchema = Parameters<typeof avsc.Type.forSchema>[0];

async function rawGet(path: string): Promise<unknown> {
  const res = await fetch(REGISTRY_URL.replace(/\/+$/, '') + path);
  expect(res.status, `GET ${path}`).toBe(200);
  return res.json();
}

async function failure(p: Promise<unknown>): Promise<MigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigError);
  return err as MigError;
}

/** A port nothing listens on: one the kernel just handed out and we gave back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('SchemaRegistry', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it('registers a schema once: the same id again, from the cache and from the registry', async () => {
    const subject = `${uniqueName('reg')}-value`;
    const registry = new SchemaRegistry(REGISTRY_URL);
    const [id, concurrent] = await Promise.all([registry.register(subject, small), registry.register(subject, small)]);
    expect(Number.isInteger(id)).toBe(true);
    expect(concurrent).toBe(id);
    expect(await registry.register(subject, small)).toBe(id);
    // A fresh client (no cache), a trailing slash, and other key order: the registry itself answers the same id.
    const reordered = { fields: small.fields, namespace: small.namespace, name: small.name, type: small.type };
    expect(await new SchemaRegistry(`${REGISTRY_URL}/`).register(subject, reordered)).toBe(id);

    const latest = (await rawGet(`/subjects/${subject}/versions/latest`)) as { id: number; version: number };
    expect(latest).toMatchObject({ id, version: 1 });
    expect(await registry.schemaById(id)).toEqual(small);
  });

  it('keeps subjects apart: a second subject gets its own registration', async () => {
    const a = `${uniqueName('reg_a')}-value`;
    const b = `${uniqueName('reg_b')}-value`;
    const registry = new SchemaRegistry(REGISTRY_URL);
    const other = { ...small, name: 'Other' };
    const idA = await registry.register(a, small);
    const idB = await registry.register(b, other);
    expect(idB).not.toBe(idA);
    const subjects = (await rawGet('/subjects')) as string[];
    expect(subjects).toEqual(expect.arrayContaining([a, b]));
    expect(await rawGet(`/subjects/${b}/versions/latest`)).toMatchObject({ subject: b, id: idB, version: 1 });
    expect(await registry.schemaById(idB)).toEqual(other);
  });

  it.runIf(existsSync(RECORD_AVSC))('registers the DTS Avro Record schema and reads it back by id', async () => {
    const record = JSON.parse(readFileSync(RECORD_AVSC, 'utf8')) as object;
    const subject = `${uniqueName('dts')}-value`;
    const registry = new SchemaRegistry(REGISTRY_URL);
    const id = await registry.register(subject, record);
    expect(await registry.register(subject, record)).toBe(id);
    expect(await registry.schemaById(id)).toEqual(record);
  });

  it('a schema the registry refuses is registry-rejected, naming the subject and the registry error', async () => {
    const subject = `${uniqueName('bad')}-value`;
    const invalid = { type: 'record', name: 'Bad', fields: [{ name: 'a', type: 'no.such.Type' }] };
    const err = await failure(new SchemaRegistry(REGISTRY_URL).register(subject, invalid));
    expect(err.code).toBe('registry-rejected');
    expect(err.message).toContain(`subject ${subject}`);
    expect(err.message).toContain('HTTP 422, error_code 42201');
    expect(err.hint).toContain('Avro');
  });

  it('a URL that is not the Confluent API is registry-rejected with a hint about the path', async () => {
    const err = await failure(new SchemaRegistry(`${new URL(REGISTRY_URL).origin}/not-the-api`).register('x-value', small));
    expect(err.code).toBe('registry-rejected');
    expect(err.message).toMatch(/HTTP 404/);
    expect(err.hint).toContain('/apis/ccompat/v7');
  });

  it('an unreachable or silent registry is registry-unreachable', async () => {
    const port = await closedPort();
    const refused = await failure(new SchemaRegistry(`http://127.0.0.1:${port}/apis/ccompat/v7`).register('t-value', small));
    expect(refused.code).toBe('registry-unreachable');
    expect(refused.message).toContain(`http://127.0.0.1:${port}/apis/ccompat/v7`);
    expect(refused.message).toContain('ECONNREFUSED');
    expect(refused.message).toContain('subject t-value');

    // Accepts the connection, never answers.
    const silent = createServer(() => undefined);
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    const timedOut = await failure(new SchemaRegistry(`http://127.0.0.1:${silentPort}`, { timeoutMs: 300 }).register('t-value', small));
    expect(timedOut.code).toBe('registry-unreachable');
    expect(timedOut.message).toContain('no answer within 300 ms');
  });

  it('sends credentials in the URL as basic auth and never shows them', async () => {
    let authorization: string | undefined;
    const fake = createServer((req, res) => {
      authorization = req.headers.authorization;
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 40101, message: 'Unauthorized' }));
    });
    servers.push(fake);
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const port = (fake.address() as AddressInfo).port;
    const err = await failure(new SchemaRegistry(`http://mig:s3cret@127.0.0.1:${port}/`).register('t-value', small));
    expect(authorization).toBe(`Basic ${Buffer.from('mig:s3cret').toString('base64')}`);
    expect(err.code).toBe('registry-rejected');
    expect(err.message).toContain('HTTP 401, error_code 40101: Unauthorized');
    expect(`${err.message} ${err.hint}`).not.toContain('s3cret');
  });

  it('frames Avro binary as magic byte, big-endian id and payload, and unframes it again', async () => {
    const registry = new SchemaRegistry(REGISTRY_URL);
    const id = await registry.register(`${uniqueName('frame')}-value`, small);
    const type = avsc.Type.forSchema(small as AvroSchema);
    const avro = type.toBuffer({ id: 42, name: 'x' });
    const framed = frameConfluent(id, avro);
    expect(framed[0]).toBe(0);
    expect(framed.readInt32BE(1)).toBe(id);
    expect(framed.subarray(5).equals(avro)).toBe(true);

    const back = unframeConfluent(framed);
    expect(back.id).toBe(id);
    // The writer's schema comes from the registry, as a consumer would get it.
    const writer = avsc.Type.forSchema((await registry.schemaById(back.id)) as AvroSchema);
    expect(writer.fromBuffer(back.payload)).toEqual({ id: 42, name: 'x' });

    expect(frameConfluent(0x01020304, Buffer.from([9])).equals(Buffer.from([0, 1, 2, 3, 4, 9]))).toBe(true);
    expect(() => frameConfluent(-1, avro)).toThrow(RangeError);
    expect(() => unframeConfluent(Buffer.from([0, 0, 0]))).toThrow(MigError);
    expect(() => unframeConfluent(Buffer.from([1, 0, 0, 0, 1, 2]))).toThrow(/magic byte 0/);
  });
});
