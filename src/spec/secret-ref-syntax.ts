// What is wrong with a secret reference that mig cannot use: an unknown kind (`${evn:NAME}`), no
// kind at all (`${NAME}`, as a shell writes it), an empty name, a missing `}`, a name no
// environment can hold. Only a value that starts like a reference is read as one, so a literal
// secret is never quoted back in a message.
import { closest } from './suggest.js';

/** The kinds of `${kind:…}` reference mig resolves; SECRET_REF in the schema accepts the same. */
export const SECRET_KINDS = ['env', 'file'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

const PLACEHOLDER: Record<SecretKind, string> = { env: 'NAME', file: 'PATH' };

/**
 * Names an environment can hold: letters, digits, `_`, `.` and `-`, not starting with a digit
 * (Kubernetes allows `.` and `-` beside the POSIX characters, and `env` can set them).
 */
const ENV_NAME = /^[A-Za-z_.-][A-Za-z0-9_.-]*$/;

export interface ReferenceProblem {
  code: 'unknown-reference' | 'malformed-reference';
  /** Index in the value of the character to fix. */
  index: number;
  message: string;
  fix: string;
}

/** `${env:…} and ${file:…}`, for messages. */
export function knownKinds(): string {
  const all = SECRET_KINDS.map((k) => `\${${k}:…}`);
  return all.length === 1 ? all[0]! : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`;
}

function example(kind: SecretKind, target?: string): string {
  return `\${${kind}:${target ?? PLACEHOLDER[kind]}}`;
}

function isKind(kind: string): kind is SecretKind {
  return (SECRET_KINDS as readonly string[]).includes(kind);
}

/**
 * The problem with `value` as a secret reference, or undefined when it is a good one or does not
 * look like a reference at all (then it is a literal, which the caller reports without quoting it).
 */
export function referenceProblem(value: string): ReferenceProblem | undefined {
  const v = value.trim();
  const lead = value.indexOf(v);
  if (!v.startsWith('${')) return undefined;
  const close = v.indexOf('}');
  if (close < 0) {
    const body = v.slice(2);
    const known = /^([A-Za-z]+):(.+)$/.exec(body);
    return {
      code: 'malformed-reference',
      index: lead + v.length,
      message: `the reference \`${v}\` has no closing \`}\``,
      fix: known && isKind(known[1]!) ? `write \`${example(known[1], known[2])}\`` : `end it with \`}\`: ${knownKinds()}`,
    };
  }
  const ref = v.slice(0, close + 1);
  if (close < v.length - 1) {
    return {
      code: 'malformed-reference',
      index: lead + close + 1,
      message: `\`${ref}\` is followed by more text; a secret field holds one reference and nothing else`,
      fix: `remove what follows \`${ref}\`: the whole value comes from the variable or file`,
    };
  }
  const body = v.slice(2, -1);
  const colon = body.indexOf(':');
  if (colon < 0) return noKind(body, lead);
  const kind = body.slice(0, colon);
  const target = body.slice(colon + 1);
  if (!isKind(kind)) {
    const guess = closest(kind, SECRET_KINDS);
    return {
      code: 'unknown-reference',
      index: lead + 2,
      message: `unknown reference \`${v}\`: mig knows ${knownKinds()}`,
      fix: guess && isKind(guess) ? `did you mean \`${example(guess, target || undefined)}\`?` : `write ${SECRET_KINDS.map((k) => `\`${example(k)}\``).join(' or ')}`,
    };
  }
  return targetProblem(kind, target, v, lead + 2 + colon + 1);
}

/** `${SHOP_DB_PASSWORD}` (shell style) or `${env.NAME}`: the kind and its `:` are missing. */
function noKind(body: string, lead: number): ReferenceProblem {
  const dotted = /^([A-Za-z]+)[.\s]+(\S+)$/.exec(body);
  const kind = dotted ? closest(dotted[1]!, SECRET_KINDS) : undefined;
  if (dotted && kind && isKind(kind)) {
    return {
      code: 'malformed-reference',
      index: lead + 2 + dotted[1]!.length,
      message: `\`\${${body}}\` separates the kind from the name with something other than \`:\``,
      fix: `write \`${example(kind, dotted[2])}\``,
    };
  }
  const name = body.trim();
  return {
    code: 'malformed-reference',
    index: lead + 2,
    message: `\`\${${body}}\` does not say where the secret comes from: mig knows ${knownKinds()}`,
    fix: name === '' ? `write ${SECRET_KINDS.map((k) => `\`${example(k)}\``).join(' or ')}` : `write \`${example('env', name)}\` for an environment variable, or \`${example('file', name)}\` for a file`,
  };
}

function targetProblem(kind: SecretKind, target: string, ref: string, index: number): ReferenceProblem | undefined {
  const what = kind === 'env' ? 'environment variable' : 'file';
  if (target.trim() === '') {
    return { code: 'malformed-reference', index, message: `\`${ref}\` names no ${what}`, fix: `write the ${what}'s ${kind === 'env' ? 'name' : 'path'}: \`${example(kind)}\`` };
  }
  if (target !== target.trim()) {
    return { code: 'malformed-reference', index, message: `\`${ref}\` has spaces around the ${what}'s ${kind === 'env' ? 'name' : 'path'}`, fix: `write \`${example(kind, target.trim())}\`` };
  }
  if (kind === 'env' && !ENV_NAME.test(target)) {
    const bad = [...target].findIndex((c, i) => !/[A-Za-z0-9_.-]/.test(c) || (i === 0 && /[0-9]/.test(c)));
    return {
      code: 'malformed-reference',
      index: index + Math.max(0, bad),
      message: `\`${target}\` in \`${ref}\` cannot be an environment variable's name`,
      fix: 'use letters, digits, `_`, `.` and `-`, not starting with a digit (e.g. `SHOP_DB_PASSWORD`)',
    };
  }
  return undefined;
}
