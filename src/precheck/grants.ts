// Reads SHOW GRANTS text as MySQL 5.6–8.x and MariaDB print it, and answers "may this account do X".
// Parsing the text rather than querying mysql.* works without any privilege on the mysql schema.

export type GrantScope =
  | { kind: 'global' }
  /** A database name that may hold LIKE wildcards (`_`, `%`; `\_` is a literal underscore). */
  | { kind: 'database'; pattern: string }
  | { kind: 'table'; database: string; table: string }
  /** Procedures, functions, proxies and anything else that grants no data access. */
  | { kind: 'other' };

export interface GrantLine {
  /** MySQL 8's partial revokes appear in SHOW GRANTS as REVOKE lines. */
  revoke: boolean;
  /** Upper case, e.g. 'SELECT', 'REPLICATION SLAVE', 'ALL PRIVILEGES'. Column privileges are left out. */
  privileges: string[];
  scope: GrantScope;
}

export interface ParsedGrants {
  lines: GrantLine[];
  /** Roles granted to the account (`GRANT role TO user` lines), unquoted. */
  roles: string[];
}

/** Splits `s` at `sep` where it is outside quotes and parentheses. */
function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\' && quote !== '`') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '`' || c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && c === sep) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((p) => p.trim());
}

/** Index of a keyword standing alone (between spaces) outside quotes and parentheses, or -1. */
function keywordAt(s: string, keyword: string): number {
  let depth = 0;
  let quote: string | undefined;
  const kw = ` ${keyword} `;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\' && quote !== '`') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '`' || c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && s.slice(i, i + kw.length).toUpperCase() === kw) return i;
  }
  return -1;
}

function unquote(name: string): string {
  const t = name.trim();
  if (t.length >= 2 && t.startsWith('`') && t.endsWith('`')) return t.slice(1, -1).replace(/``/g, '`');
  if (t.length >= 2 && (t.startsWith("'") || t.startsWith('"')) && t.endsWith(t[0]!)) return t.slice(1, -1);
  return t;
}

function parseScope(text: string): GrantScope {
  let t = text.trim();
  const kind = /^(TABLE|FUNCTION|PROCEDURE|PACKAGE BODY|PACKAGE)\s+/i.exec(t);
  if (kind) {
    if (kind[1]!.toUpperCase() !== 'TABLE') return { kind: 'other' };
    t = t.slice(kind[0].length);
  }
  const parts = splitTopLevel(t, '.');
  if (parts.length !== 2) return { kind: 'other' };
  const [db, table] = parts as [string, string];
  if (db === '*' && table === '*') return { kind: 'global' };
  if (db === '*') return { kind: 'other' };
  if (table === '*') return { kind: 'database', pattern: unquote(db) };
  return { kind: 'table', database: unquote(db), table: unquote(table) };
}

function normalizePrivilege(p: string): string | undefined {
  // `SELECT (a, b)` grants columns only: it does not let mig read whole rows.
  if (p.includes('(')) return undefined;
  const name = p.replace(/\s+/g, ' ').trim().toUpperCase();
  return name === 'ALL' ? 'ALL PRIVILEGES' : name;
}

export function parseGrantLine(line: string): GrantLine | { role: string[] } | undefined {
  const head = /^\s*(GRANT|REVOKE)\s+/i.exec(line);
  if (!head) return undefined;
  const revoke = head[1]!.toUpperCase() === 'REVOKE';
  const rest = ` ${line.slice(head[0].length)} `;
  const on = keywordAt(rest, 'ON');
  const to = keywordAt(rest, revoke ? 'FROM' : 'TO');
  if (to < 0) return undefined;
  if (on < 0 || on > to) {
    // `GRANT r1, r2 TO user` (MariaDB: `r`; MySQL: `r`@`%`): roles, no privileges of their own.
    if (revoke) return undefined;
    return { role: splitTopLevel(rest.slice(0, to), ',').map((r) => unquote(r.split(/@(?=[`'"])/)[0] ?? r)) };
  }
  const privileges = splitTopLevel(rest.slice(0, on), ',')
    .map(normalizePrivilege)
    .filter((p): p is string => p !== undefined && p !== '');
  if (privileges.length === 1 && privileges[0] === 'PROXY') return { revoke, privileges, scope: { kind: 'other' } };
  return { revoke, privileges, scope: parseScope(rest.slice(on + 4, to)) };
}

export function parseGrants(lines: readonly string[]): ParsedGrants {
  const out: ParsedGrants = { lines: [], roles: [] };
  for (const line of lines) {
    const g = parseGrantLine(line);
    if (!g) continue;
    if ('role' in g) out.roles.push(...g.role);
    else out.lines.push(g);
  }
  return out;
}

/** MySQL's rule for database names in grants: `_` is one character, `%` any run, `\` escapes. */
export function matchesDatabasePattern(pattern: string, database: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === '_') re += '.';
    else if (c === '%') re += '.*';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 's').test(database);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function grants(line: GrantLine, wanted: readonly string[]): boolean {
  return line.privileges.includes('ALL PRIVILEGES') || line.privileges.some((p) => wanted.includes(p));
}

/** Whether any of `wanted` is held globally (ON *.*); ALL PRIVILEGES covers everything. */
export function hasGlobalPrivilege(g: ParsedGrants, wanted: readonly string[]): boolean {
  return g.lines.some((l) => !l.revoke && l.scope.kind === 'global' && grants(l, wanted));
}

function revokedOn(g: ParsedGrants, privilege: string, database: string): boolean {
  return g.lines.some((l) => l.revoke && l.scope.kind === 'database' && l.scope.pattern === database && grants(l, [privilege]));
}

/**
 * Whether the account may use `privilege` on every table of `database` (no `table`), or on
 * `database.table`. Names compare exactly, as on a server with lower_case_table_names=0.
 */
export function hasPrivilegeOn(g: ParsedGrants, privilege: string, database: string, table?: string): boolean {
  if (hasGlobalPrivilege(g, [privilege]) && !revokedOn(g, privilege, database)) return true;
  for (const l of g.lines) {
    if (l.revoke || !grants(l, [privilege])) continue;
    if (l.scope.kind === 'database' && matchesDatabasePattern(l.scope.pattern, database)) return true;
    if (table !== undefined && l.scope.kind === 'table' && l.scope.database === database && l.scope.table === table) return true;
  }
  return false;
}

/** `user@host` (CURRENT_USER()) as a GRANT statement names it: 'user'@'host'. */
export function accountSql(account: string): string {
  const at = account.lastIndexOf('@');
  const user = at < 0 ? account : account.slice(0, at);
  const host = at < 0 ? '%' : account.slice(at + 1);
  return `'${user.replace(/'/g, "''")}'@'${host.replace(/'/g, "''")}'`;
}

export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}
