// A client for the Confluent schema registry REST API (Confluent's own, Apicurio's ccompat API,
// Karapace, Redpanda): registers value schemas and reads them back by id. The URL is the API's
// base, including any prefix such as Apicurio's /apis/ccompat/v7.
import { MigError } from '../../../util/errors.js';

export interface SchemaRegistryOptions {
  /** Per request; a registry that hangs must not stall a migration forever (default 10 s). */
  timeoutMs?: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const URL_HINT = 'check destination.schemaRegistry.url: it is the Confluent API base (for Apicurio Registry it ends in /apis/ccompat/v7)';

interface Answer {
  status: number;
  body: unknown;
}

export class SchemaRegistry {
  /** Without user and password, so messages can show it. */
  private readonly base: string;
  private readonly auth?: string;
  private readonly timeoutMs: number;
  /** Promises, so that concurrent registrations of one schema make a single request. */
  private readonly ids = new Map<string, Promise<number>>();

  constructor(url: string, opts: SchemaRegistryOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new MigError('registry-url-invalid', `the schema registry URL ${JSON.stringify(url)} is not a URL`, URL_HINT);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new MigError('registry-url-invalid', `the schema registry URL must be http or https, not ${parsed.protocol}`, URL_HINT);
    }
    // fetch refuses URLs with credentials; registries expect them as HTTP basic auth instead.
    if (parsed.username || parsed.password) {
      const user = decodeURIComponent(parsed.username);
      const pass = decodeURIComponent(parsed.password);
      this.auth = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      parsed.username = '';
      parsed.password = '';
    }
    this.base = parsed.href.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** The id the registry gives `schema` under `subject`; the same schema keeps its id. */
  register(subject: string, schema: object): Promise<number> {
    const text = JSON.stringify(schema);
    const key = `${subject}\u0000${text}`;
    let id = this.ids.get(key);
    if (!id) {
      id = this.registerOnce(subject, text);
      this.ids.set(key, id);
      // A failure is not remembered: the next call asks again.
      id.catch(() => this.ids.delete(key));
    }
    return id;
  }

  /** The schema the registry holds under `id`. */
  async schemaById(id: number): Promise<object> {
    const what = `reading schema id ${id}`;
    const answer = await this.request('GET', `/schemas/ids/${id}`, undefined, what);
    const schema = field(answer.body, 'schema');
    if (typeof schema !== 'string') throw this.unexpected(what, answer);
    try {
      return JSON.parse(schema) as object;
    } catch {
      throw this.unexpected(what, answer);
    }
  }

  private async registerOnce(subject: string, schema: string): Promise<number> {
    const what = `registering subject ${subject}`;
    const answer = await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema }, what);
    const id = field(answer.body, 'id');
    if (typeof id !== 'number' || !Number.isInteger(id)) throw this.unexpected(what, answer);
    return id;
  }

  private async request(method: string, path: string, body: object | undefined, what: string): Promise<Answer> {
    const headers: Record<string, string> = { accept: `${CONTENT_TYPE}, application/json` };
    if (body) headers['content-type'] = CONTENT_TYPE;
    if (this.auth) headers.authorization = this.auth;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new MigError(
        'registry-unreachable',
        `schema registry ${this.base} could not be reached while ${what}: ${failure(err, this.timeoutMs)}`,
        `is the registry running and reachable from here? ${URL_HINT}`,
      );
    }
    const answer = { status: res.status, body: parseJson(text) };
    if (!res.ok) throw this.rejected(what, answer);
    return answer;
  }

  private rejected(what: string, answer: Answer): MigError {
    const code = field(answer.body, 'error_code');
    const message = field(answer.body, 'message');
    if (typeof code !== 'number' && typeof message !== 'string') {
      // Not a Confluent error body: most often a URL that points at something else.
      return new MigError('registry-rejected', `schema registry ${this.base} refused ${what}: HTTP ${answer.status}, not a schema registry error`, URL_HINT);
    }
    const detail = `HTTP ${answer.status}, error_code ${typeof code === 'number' ? code : '?'}: ${typeof message === 'string' ? message : '(no message)'}`;
    return new MigError('registry-rejected', `schema registry ${this.base} refused ${what}: ${detail}`, rejectionHint(answer.status, code));
  }

  private unexpected(what: string, answer: Answer): MigError {
    return new MigError('registry-rejected', `schema registry ${this.base} gave an unexpected answer while ${what} (HTTP ${answer.status})`, URL_HINT);
  }
}

function rejectionHint(status: number, code: unknown): string {
  if (status === 401 || status === 403) return 'the registry wants credentials: put them in the URL as https://user:password@host/...';
  if (status === 409) return "the subject's compatibility rule refuses this schema: relax the subject's compatibility level in the registry, or write to a new topic";
  if (status === 422 || code === 42201) return 'the registry does not accept the schema as Avro';
  if (code === 40401 || code === 40403) return 'the registry does not have it: is this the registry the messages were written with?';
  if (status >= 500) return 'the registry failed internally: see its logs, then run again';
  return URL_HINT;
}

function failure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  // fetch reports every network error as "fetch failed"; the reason is in the cause.
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    // Connecting to a name with several addresses fails with an AggregateError without a message.
    if (code && !cause.message.includes(code)) return cause.message ? `${code} ${cause.message}` : code;
    return cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian int, the Avro binary. */
export function frameConfluent(id: number, avro: Buffer): Buffer {
  if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) throw new RangeError(`not a schema registry id: ${id}`);
  const out = Buffer.allocUnsafe(5 + avro.length);
  out[0] = 0;
  out.writeInt32BE(id, 1);
  avro.copy(out, 5);
  return out;
}

/** The schema id and Avro binary of a message framed by frameConfluent (or any Confluent serializer). */
export function unframeConfluent(buf: Buffer): { id: number; payload: Buffer } {
  if (buf.length < 5 || buf[0] !== 0) {
    throw new MigError(
      'registry-frame-invalid',
      buf.length < 5 ? `a ${buf.length}-byte message is too short for a schema registry frame` : `the message starts with byte ${buf[0]}, not the schema registry magic byte 0`,
      'the topic holds messages written without a schema registry (or in another format)',
    );
  }
  return { id: buf.readInt32BE(1), payload: buf.subarray(5) };
}
