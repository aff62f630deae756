// How a state store is named on the command line (`--state-url`, `mig state migrate --from/--to`):
//   file:PATH                          a state file
//   mysql://USER:PASSWORD@HOST:PORT/DB  a MySQL/MariaDB table (mariadb:// too; ?table=…&name=… optional)
//   mysql:${env:NAME} | ${env:NAME}    the same, the URL read from a variable (or ${file:PATH})
// The text is never echoed back in errors: it may carry a password.
import { isSecretRef } from '../spec/secrets.js';
import { MigError } from '../util/errors.js';

export type StoreRef =
  | { backend: 'file'; path: string }
  /** `url` is the URL itself, or a secret reference to it when `secret` is set. */
  | { backend: 'mysql'; url: string; secret: boolean };

export const STORE_REF_FORMS = 'file:PATH, mysql://USER:PASSWORD@HOST:PORT/DATABASE, or mysql:${env:NAME}';

export function parseStoreRef(text: string, where: string): StoreRef {
  const value = text.trim();
  if (value.startsWith('file:')) {
    const p = value.slice('file:'.length);
    if (p === '') throw new MigError('bad-store', `${where}: file: needs a path, as in file:.mig/state.json`);
    return { backend: 'file', path: p };
  }
  if (/^(mysql|mariadb):\/\//i.test(value)) return { backend: 'mysql', url: value, secret: false };
  const ref = value.replace(/^mysql:/i, '');
  if (isSecretRef(ref)) return { backend: 'mysql', url: ref, secret: true };
  throw new MigError(
    'bad-store',
    `${where} does not name a state store`,
    `write ${STORE_REF_FORMS}; quote \${env:…} in the shell so it is passed as written`,
  );
}

