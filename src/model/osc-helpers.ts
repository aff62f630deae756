// The names gh-ost and pt-online-schema-change give their helper tables (the original `t` →
// `_t_gho`, `_t_ghc`, `_t_del`; `_t_new`, `_t_old`), shared by the binlog reader, which keeps their
// rows and statements out of the stream (connectors/sources/mysql/online-schema-change.ts), and by
// the plan and the stream, which never take one in as a table of a database migrated whole.
export type OscTool = 'gh-ost' | 'pt-online-schema-change';

type Role = 'ghost' | 'changelog' | 'old';

/** A helper table's name: the tool, its role, and the original table it is named after. */
export interface HelperName {
  tool: OscTool;
  role: Role;
  /** The original table's name as read from the helper's (pt-osc may add more leading underscores). */
  table: string;
}

const HELPER_NAMES: [RegExp, OscTool, Role][] = [
  [/^_(.+)_gho$/, 'gh-ost', 'ghost'],
  // The changelog, and newer versions' checkpoint table (--checkpoint).
  [/^_(.+)_gh[ck]$/, 'gh-ost', 'changelog'],
  // The old table: with --timestamp-old-table `_t_<YYYYMMDDhhmmss>_del`, in revert mode `_t_rev_del`.
  [/^_(.+?)(?:_\d{14})?(?:_rev)?_del$/, 'gh-ost', 'old'],
  [/^_(.+)_new$/, 'pt-online-schema-change', 'ghost'],
  [/^_(.+)_old$/, 'pt-online-schema-change', 'old'],
];

export function helperName(name: string): HelperName | undefined {
  for (const [re, tool, role] of HELPER_NAMES) {
    const m = re.exec(name);
    if (m) return { tool, role, table: m[1]! };
  }
  return undefined;
}

/**
 * Whether `name` in `database` is a helper of an online schema change, given which tables exist:
 * a table that is itself migrated never is, and the table it is named after must exist
 * (pt-osc prefixes more underscores until the name is free: `__t_new` for `_t`).
 */
export function isHelperTable(database: string, name: string, exists: (database: string, table: string) => boolean, migrated: (database: string, table: string) => boolean): boolean {
  if (migrated(database, name)) return false;
  const h = helperName(name);
  if (!h) return false;
  for (let t = h.table; ; t = t.slice(1)) {
    if (exists(database, t)) return true;
    if (!t.startsWith('_')) return false;
  }
}

