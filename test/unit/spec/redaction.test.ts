// Redaction hides the secret and nothing else: realistic driver messages keep every word that is not
// a secret, including MySQL's `(using password: YES)`.
import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecretValues, redactSecrets, resolveSecret } from '../../../src/spec/secrets.js';
import { redact, REDACT_ANYWHERE_MIN } from '../../../src/util/errors.js';

afterEach(() => forgetSecretValues());

const cases: { name: string; secrets: string[]; text: string; expected: string }[] = [
  {
    name: 'mysql2 access denied, password sent',
    secrets: ['S3cr3t-pass'],
    text: "Access denied for user 'app'@'localhost' (using password: YES)",
    expected: "Access denied for user 'app'@'localhost' (using password: YES)",
  },
  {
    name: 'mysql2 access denied, no password sent',
    secrets: [],
    text: "Access denied for user 'root'@'172.17.0.1' (using password: NO)",
    expected: "Access denied for user 'root'@'172.17.0.1' (using password: NO)",
  },
  {
    name: 'mysql2 auth plugin message',
    secrets: ['S3cr3t-pass'],
    text: "Authentication plugin 'caching_sha2_password' reported error: Authentication requires secure connection.",
    expected: "Authentication plugin 'caching_sha2_password' reported error: Authentication requires secure connection.",
  },
  {
    name: 'kafkajs SASL failure',
    secrets: ['kafka-Secr3t'],
    text: 'SASL SCRAM SHA256 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
    expected: 'SASL SCRAM SHA256 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
  },
  {
    name: 'kafkajs config echoed as JSON, a password with & and a quote',
    secrets: [],
    text: 'bad sasl config {"mechanism":"plain","username":"app","password":"Tr0u&b4\'dor"}',
    expected: 'bad sasl config {"mechanism":"plain","username":"app","password":"***"}',
  },
  {
    name: 'a known secret anywhere in the text',
    secrets: ['kafka-Secr3t'],
    text: 'broker rejected credentials app/kafka-Secr3t for SASL PLAIN',
    expected: 'broker rejected credentials app/*** for SASL PLAIN',
  },
  {
    name: 'a URL with a password, known or not',
    secrets: [],
    text: 'cannot reach mysql://mig:hunter2@db.internal:3306/ops: connect ETIMEDOUT',
    expected: 'cannot reach mysql://mig:***@db.internal:3306/ops: connect ETIMEDOUT',
  },
  {
    name: 'a URL-encoded known password',
    secrets: ['p@ss/w:rd!x'],
    text: 'state store mysql://mig:p%40ss%2Fw%3Ard!x@db/ops refused: p@ss/w:rd!x',
    expected: 'state store mysql://mig:***@db/ops refused: ***',
  },
  {
    name: 'a URL with no password',
    secrets: [],
    text: 'cannot reach mysql://db.internal:3306/ops and http://user@host:8080/x',
    expected: 'cannot reach mysql://db.internal:3306/ops and http://user@host:8080/x',
  },
  {
    name: 'a password with regular-expression metacharacters, taken literally',
    secrets: ['a.b*c(d)+$^'],
    text: 'DSN user=app;password=a.b*c(d)+$^;host=db rejected; not aXbbc(d)+ or a.b*c',
    expected: 'DSN user=app;password=***;host=db rejected; not aXbbc(d)+ or a.b*c',
  },
  {
    name: 'a password that appears twice',
    secrets: ['Zq7-long-secret'],
    text: "login 'Zq7-long-secret' failed; retried with 'Zq7-long-secret'",
    expected: "login '***' failed; retried with '***'",
  },
  {
    name: 'the longer of two secrets that contain one another',
    secrets: ['short-x', 'short-x-and-longer'],
    text: "Access denied (using password 'short-x-and-longer')",
    expected: "Access denied (using password '***')",
  },
  {
    name: 'a short password that is also the user name: hidden only where a password stands',
    secrets: ['mig'],
    text: "Access denied for user 'mig'@'10.0.0.5' (using password: YES) to mysql://mig:mig@db/mig, password=mig, password: mig",
    expected: "Access denied for user 'mig'@'10.0.0.5' (using password: YES) to mysql://mig:***@db/mig, password=***, password: ***",
  },
  {
    name: 'unknown values after password= and similar keys',
    secrets: [],
    text: 'env SHOP_DB_PASSWORD=hunter2 sasl.password=x1 accessKeySecret=AbC pwd:zz',
    expected: 'env SHOP_DB_PASSWORD=*** sasl.password=*** accessKeySecret=*** pwd:***',
  },
  {
    name: 'field names and references in mig’s own messages',
    secrets: [],
    text: 'spec.source.password: unknown reference `${evn:DB}`; password: ${env:DB_PASSWORD}; password="${file:db.txt}"',
    expected: 'spec.source.password: unknown reference `${evn:DB}`; password: ${env:DB_PASSWORD}; password="${file:db.txt}"',
  },
];

describe('redaction', () => {
  it.each(cases)('$name', ({ secrets, text, expected }) => {
    expect(redact(text, secrets)).toBe(expected);
  });

  it(`replaces known secrets of ${REDACT_ANYWHERE_MIN} characters or more anywhere, shorter ones only where a password stands`, () => {
    expect(redact('user root on db root', ['root'])).toBe('user root on db root');
    expect(redact('user rootpw on db rootpw', ['rootpw'])).toBe('user *** on db ***');
  });

  it('redactSecrets hides every value resolved in this process', async () => {
    await resolveSecret('${env:A}', 'spec.source.password', { projectRoot: '/', env: { A: 'Abc-123-xyz' } });
    await resolveSecret('${env:B}', 'spec.destination.password', { projectRoot: '/', env: { B: 'app' } });
    expect(redactSecrets("Access denied for user 'app'@'h' (using password: YES); sent Abc-123-xyz; password=app")).toBe(
      "Access denied for user 'app'@'h' (using password: YES); sent ***; password=***",
    );
  });
});
