// Building blocks the spec's parts share: secret references, names, topic names.
import { z } from 'zod';

/** `${env:NAME}` or `${file:PATH}`: secrets are only ever referenced, never written inline. */
export const SECRET_REF = /^\$\{(env|file):([^}]+)\}$/;

/** A reference anywhere in a text: outside secret fields it is not resolved, so checks point it out. */
export const REFERENCE_IN_TEXT = /\$\{(env|file):[^}]*\}/;

export const secretRef = z
  .string()
  .regex(SECRET_REF, {
    message: 'must be a secret reference: write ${env:NAME} or ${file:PATH}, never the secret itself',
  })
  .describe('A secret reference: ${env:NAME} or ${file:PATH}. Resolved at run time; never stored.');

export const name = (what: string) =>
  z
    .string()
    .min(1, { message: `${what} must not be empty` })
    .max(249, { message: `${what} is longer than 249 characters` });

export const topicName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, {
    message: "must be a Kafka topic name: 1 to 249 of letters, digits, '.', '_' and '-'",
  });
