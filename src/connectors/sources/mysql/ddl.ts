// Which table a DDL statement touches, read from its text (enough to route and to refresh shapes).
const IDENT = '(?:`((?:[^`]|``)+)`|([A-Za-z0-9_$\\u0080-\\uFFFF]+))';
const QUALIFIED = `${IDENT}(?:\\s*\\.\\s*${IDENT})?`;

const PATTERNS: RegExp[] = [
  new RegExp(`^CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TEMPORARY\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${QUALIFIED}`, 'i'),
  new RegExp(`^ALTER\\s+(?:ONLINE\\s+)?(?:IGNORE\\s+)?TABLE\\s+(?:IF\\s+EXISTS\\s+)?${QUALIFIED}`, 'i'),
  new RegExp(`^DROP\\s+(?:TEMPORARY\\s+)?TABLE\\s+(?:IF\\s+EXISTS\\s+)?${QUALIFIED}`, 'i'),
  new RegExp(`^TRUNCATE\\s+(?:TABLE\\s+)?${QUALIFIED}`, 'i'),
  new RegExp(`^RENAME\\s+TABLE\\s+${QUALIFIED}`, 'i'),
  new RegExp(`^CREATE\\s+(?:UNIQUE\\s+|FULLTEXT\\s+|SPATIAL\\s+)?INDEX\\s+\\S+\\s+ON\\s+${QUALIFIED}`, 'i'),
  new RegExp(`^DROP\\s+INDEX\\s+\\S+\\s+ON\\s+${QUALIFIED}`, 'i'),
];

const unq = (s: string | undefined) => (s === undefined ? undefined : s.replace(/``/g, '`'));

export interface DdlTarget {
  database: string;
  table?: string;
  renamedTo?: string;
}

/** Database (and table) a statement applies to; `schema` is the session's current database. */
export function ddlTarget(sql: string, schema: string): DdlTarget | undefined {
  const text = sql.replace(/^\s*(\/\*.*?\*\/\s*)*/s, '');
  for (const re of PATTERNS) {
    const m = re.exec(text);
    if (!m) continue;
    const first = unq(m[1] ?? m[2]);
    const second = unq(m[3] ?? m[4]);
    const database = second !== undefined ? first! : schema;
    const table = second !== undefined ? second : first;
    let renamedTo: string | undefined;
    if (/^RENAME/i.test(text)) {
      const r = new RegExp(`\\bTO\\s+${QUALIFIED}`, 'i').exec(text.slice(m[0].length));
      if (r) renamedTo = unq(r[3] ?? r[4]) ?? unq(r[1] ?? r[2]);
    }
    return { database, table, renamedTo };
  }
  const db = /^(?:CREATE|DROP|ALTER)\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?`?([^`\s;]+)`?/i.exec(text);
  if (db) return { database: db[1]! };
  return schema ? { database: schema } : undefined;
}
