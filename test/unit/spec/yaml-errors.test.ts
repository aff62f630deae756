// YAML syntax mistakes a person makes in a spec, each with the exact place it is reported at (the
// line that is wrong, not where the parser gave up) and the exact message and fix.
import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../../../src/spec/load.js';
import { edit, VALID } from './spec-fixtures.js';

const FILE = 'migrations.d/shop.yaml';

interface Case {
  name: string;
  text: string;
  /** Every finding as `file:line:col code path | message | fix`. */
  expected: string[];
}

const TYPES = '  types: [schema, full, incremental]';

const cases: Case[] = [
  {
    name: 'a flow list missing its `]`, the next key on the next line',
    text: edit(VALID, TYPES, '  types: [schema, full, incremental'),
    expected: [
      "migrations.d/shop.yaml:17:10 yaml-syntax  | the `[` opened here is never closed: the list has no `]` | write `]` after the list's last item, at line 17 column 36",
    ],
  },
  {
    name: 'a flow list missing its `]`, in a deeper block',
    text: edit(VALID, '    brokers: ["127.0.0.1:19092"]', '    brokers: ["127.0.0.1:19092"'),
    expected: [
      "migrations.d/shop.yaml:14:14 yaml-syntax  | the `[` opened here is never closed: the list has no `]` | write `]` after the list's last item, at line 14 column 32",
    ],
  },
  {
    name: 'a flow list over several lines missing its `]`',
    text: edit(VALID, TYPES, '  types: [schema,\n    full,\n    incremental'),
    expected: [
      "migrations.d/shop.yaml:17:10 yaml-syntax  | the `[` opened here is never closed: the list has no `]` | write `]` after the list's last item, at line 19 column 16",
    ],
  },
  {
    name: 'the outer of two nested lists left open',
    text: edit(VALID, TYPES, '  types: [schema, [full, incremental]'),
    expected: [
      "migrations.d/shop.yaml:17:10 yaml-syntax  | the `[` opened here is never closed: the list has no `]` | write `]` after the list's last item, at line 17 column 38",
    ],
  },
  {
    name: 'a flow map missing its `}`',
    text: edit(VALID, '    topic: shop', '    topic: {name: shop'),
    expected: [
      "migrations.d/shop.yaml:15:12 yaml-syntax  | the `{` opened here is never closed: the map has no `}` | write `}` after the map's last item, at line 15 column 23",
    ],
  },
  {
    name: 'a top-level flow list missing its `]`',
    text: '[a, b\n',
    expected: ["migrations.d/shop.yaml:1:1 yaml-syntax  | the `[` opened here is never closed: the list has no `]` | write `]` after the list's last item, at line 1 column 6"],
  },
  {
    name: 'a `[` with nothing after it on its line',
    text: edit(VALID, '  objects:', '  objects: ['),
    expected: ["migrations.d/shop.yaml:18:12 yaml-syntax  | the `[` opened here is never closed: the list has no `]` | remove the `[`, or write `]` where the list ends"],
  },
  {
    name: 'a quote left open that a later value closes',
    text: edit(VALID, '  destination:', '  destination: "'),
    expected: [
      'migrations.d/shop.yaml:12:16 yaml-syntax  | the quote `"` opened here is not closed on its line, so the text up to the next `"`, on line 14, is read as its value | end the value with `"` on this line',
    ],
  },
  {
    name: 'a double quote never closed',
    text: edit(VALID, '    topic: shop', '    topic: "shop'),
    expected: ['migrations.d/shop.yaml:15:12 yaml-syntax  | the quote `"` opened here is never closed | end the value with `"` on this line'],
  },
  {
    name: 'a single quote never closed, in the last value of the file',
    text: edit(VALID, '        - name: customers', "        - name: 'customers"),
    expected: ["migrations.d/shop.yaml:26:17 yaml-syntax  | the quote `'` opened here is never closed | end the value with `'` on this line"],
  },
  {
    name: "a single-quoted value whose '' is an escaped quote, not the end",
    text: "apiVersion: 'it''s\nkind: Migration\n",
    expected: ["migrations.d/shop.yaml:1:13 yaml-syntax  | the quote `'` opened here is never closed | end the value with `'` on this line"],
  },
  {
    name: 'a quote opened inside a flow list swallows its `]`',
    text: edit(VALID, TYPES, '  types: [schema, "full, incremental]'),
    expected: ['migrations.d/shop.yaml:17:19 yaml-syntax  | the quote `"` opened here is never closed | end the value with `"` on this line'],
  },
  {
    name: 'tab indentation',
    text: edit(VALID, '    user: root', '\tuser: root'),
    expected: ['migrations.d/shop.yaml:10:1 yaml-syntax  | this line is indented with a tab; YAML allows only spaces in indentation | replace the tab with spaces'],
  },
  {
    name: 'a tab after spaces, pointed at',
    text: edit(VALID, '    user: root', '  \t  user: root'),
    expected: ['migrations.d/shop.yaml:10:3 yaml-syntax  | this line is indented with a tab; YAML allows only spaces in indentation | replace the tab with spaces'],
  },
  {
    name: 'a missing space after `:`',
    text: edit(VALID, '    user: root', '    user:root'),
    expected: [
      'migrations.d/shop.yaml:10:9 yaml-syntax  | there is no space after `user:`, so YAML reads the line as one word, not a key and a value | put a space after the colon: `user: …`',
    ],
  },
  {
    name: 'a missing space after `:` on the last line',
    text: `${VALID}          topic:shop.customers\n`,
    expected: [
      'migrations.d/shop.yaml:27:16 yaml-syntax  | there is no space after `topic:`, so YAML reads the line as one word, not a key and a value | put a space after the colon: `topic: …`',
    ],
  },
  {
    name: 'a missing `:` between key and value',
    text: edit(VALID, '    user: root', '    user root'),
    expected: ['migrations.d/shop.yaml:10:5 yaml-syntax  | `user` has no `:` after it, so YAML does not read it as a key | write `user: …`, with a colon and a space before the value'],
  },
  {
    name: 'a missing `:` after a key with a block under it',
    text: edit(VALID, '  source:', '  source'),
    expected: ['migrations.d/shop.yaml:6:3 yaml-syntax  | `source` has no `:` after it, so YAML does not read it as a key | write `source:`'],
  },
  {
    name: 'a duplicate key, with where it was first set',
    text: edit(VALID, '    port: 3307', '    port: 3307\n    port: 3308'),
    expected: ['migrations.d/shop.yaml:10:5 duplicate-key spec.source.port | `port` is set twice in `spec.source`: on line 9 and again here | keep one of them: delete this one or the one on line 9'],
  },
  {
    name: 'every duplicate key of a document',
    text: edit(edit(VALID, '    port: 3307', '    port: 3307\n    port: 3308'), '          topic: shop.orders', '          topic: shop.orders\n          topic: shop.o'),
    expected: [
      'migrations.d/shop.yaml:10:5 duplicate-key spec.source.port | `port` is set twice in `spec.source`: on line 9 and again here | keep one of them: delete this one or the one on line 9',
      'migrations.d/shop.yaml:24:11 duplicate-key spec.objects[0].tables[0].topic | `topic` is set twice in `spec.objects[0].tables[0]`: on line 23 and again here | keep one of them: delete this one or the one on line 23',
    ],
  },
  {
    name: 'a key indented less than the keys beside it',
    text: edit(VALID, '    user: root', '   user: root'),
    expected: [
      'migrations.d/shop.yaml:10:4 yaml-syntax  | `user` is indented by 3 spaces, which lines it up with nothing above: `port` (line 9) is at 4, `source` (line 6) at 2 | indent it by 4 spaces to put it beside `port`, or by 2 to put it beside `source`',
    ],
  },
  {
    name: 'a key indented deeper than the key above it',
    text: edit(VALID, '    user: root', '      user: root'),
    expected: [
      'migrations.d/shop.yaml:10:7 yaml-syntax  | `user` is indented deeper than `port` on line 9 (6 spaces, not 4), so YAML reads it as part of the value of `port` | indent `user` by 4 spaces, like `port`',
    ],
  },
  {
    name: 'the first key of a block indented less than the keys after it',
    text: edit(VALID, '    type: mysql', '   type: mysql'),
    expected: [
      'migrations.d/shop.yaml:8:5 yaml-syntax  | `host` is indented deeper than `type` on line 7 (4 spaces, not 3), so YAML reads it as part of the value of `type` | line them up: indent `type` on line 7 by 4 spaces like the keys after it, or `host` by 3',
    ],
  },
  {
    name: "a key of a list item's map between the `-` and the item's first key",
    text: edit(VALID, '          topic: shop.orders', '         topic: shop.orders'),
    expected: [
      'migrations.d/shop.yaml:22:10 yaml-syntax  | `topic` is indented by 9 spaces, which lines it up with nothing above: `name` (line 21) is at 10, `- name` (line 21) at 8 | indent it by 10 spaces to put it beside `name`, or by 8 to put it beside `- name`',
    ],
  },
  {
    name: 'a key deeper than a key whose value is a flow list',
    text: edit(VALID, '  objects:', '   objects:'),
    expected: [
      'migrations.d/shop.yaml:18:4 yaml-syntax  | `objects` is indented deeper than `types` on line 17 (3 spaces, not 2), so YAML reads it as part of the value of `types` | indent `objects` by 2 spaces, like `types`',
    ],
  },
  {
    name: 'the first top-level key indented',
    text: ` ${VALID}`,
    expected: [
      'migrations.d/shop.yaml:2:1 yaml-syntax  | `kind` is indented by 0 spaces, less than `apiVersion` on line 1 (1), and nothing above encloses it | line it up with `apiVersion`: top-level keys start at the same column, usually the first',
    ],
  },
  {
    name: 'a tab in a list item, reported before what follows from it',
    text: edit(VALID, '    - database: shop', '\t  - database: shop'),
    expected: ['migrations.d/shop.yaml:19:1 yaml-syntax  | this line is indented with a tab; YAML allows only spaces in indentation | replace the tab with spaces'],
  },
  {
    name: 'a list item indented one space short',
    text: edit(VALID, '        - name: customers', '       - name: customers'),
    expected: [
      'migrations.d/shop.yaml:26:8 yaml-syntax  | `- name` is indented by 7 spaces, which lines it up with nothing above: `- name` (line 21) is at 8, `tables` (line 20) at 6 | indent it by 8 spaces to put it beside `- name`, or by 6 to put it beside `tables`',
    ],
  },
  {
    name: 'a list item among the keys of a map',
    text: edit(VALID, '    user: root', '    - user: root'),
    expected: ['migrations.d/shop.yaml:10:5 yaml-syntax  | a list item (`- `) among the keys of a map (like `port` on line 9) | remove the `- `, or put the list under a key of its own'],
  },
  {
    name: 'a `: ` inside a plain value',
    text: edit(VALID, '    user: root', '    user: root: admin'),
    expected: ['migrations.d/shop.yaml:10:11 yaml-syntax  | the value of `user` contains `: `, which YAML reads as the start of another key | put the value in quotes: `user: "…"`'],
  },
  {
    name: 'a `]` with no `[`',
    text: edit(VALID, TYPES, '  types: [schema, full, incremental]]'),
    expected: ['migrations.d/shop.yaml:17:37 yaml-syntax  | this `]` closes no list: there is no `[` open before it | remove it, or add the `[` that should open the list'],
  },
  {
    name: 'a second value after a flow list',
    text: edit(VALID, TYPES, `${TYPES} [`),
    expected: ['migrations.d/shop.yaml:17:38 yaml-syntax  | YAML did not expect `[` after the value before it | remove it, or put the whole value in quotes'],
  },
  {
    name: 'a missing `:` before a reference',
    text: edit(VALID, '    password: ${env:SHOP_DB_PASSWORD}', '    password ${env:SHOP_DB_PASSWORD}'),
    expected: ['migrations.d/shop.yaml:11:5 yaml-syntax  | `password` has no `:` after it, so YAML does not read it as a key | write `password: …`, with a colon and a space before the value'],
  },
  {
    name: 'a value starting with a reserved character',
    text: edit(VALID, '    user: root', '    user: @root'),
    expected: ['migrations.d/shop.yaml:10:11 yaml-syntax  | YAML reserves `@` at the start of a plain value | put the value in quotes: `"…"`'],
  },
  {
    name: 'a backslash in double quotes that is no escape',
    text: edit(VALID, '    user: root', '    user: "corp\\qa"'),
    expected: ['migrations.d/shop.yaml:10:16 yaml-syntax  | inside double quotes a backslash starts an escape, and `\\q` is not one | write `\\\\` for a backslash, or use single quotes, which have no escapes'],
  },
  {
    name: 'a directive with no `---` after it',
    text: `%YAML 1.2\n${VALID}`,
    expected: ['migrations.d/shop.yaml:2:1 yaml-syntax  | a `%` directive line must be followed by a `---` line before the document | add `---` after the directive, or remove the directive'],
  },
  {
    name: 'a value that is a lone `*`',
    text: edit(VALID, '    user: root', '    user: *'),
    expected: ['migrations.d/shop.yaml:10:11 yaml-syntax  | `*` starts an alias (a reference to an `&anchor`) | put the value in quotes: `"…"`'],
  },
];

describe('YAML syntax errors', () => {
  it.each(cases)('$name', ({ text, expected }) => {
    const { migrations, diagnostics } = parseSpecText(text, FILE);
    expect(migrations).toEqual([]);
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.path} | ${d.message} | ${d.fix}`)).toEqual(expected);
    expect(diagnostics.every((d) => d.severity === 'error')).toBe(true);
  });

  it('reports one error per broken document, in each document', () => {
    const text = `${edit(VALID, TYPES, '  types: [schema, full')}---\n${edit(VALID, '    user: root', '    user:root')}`;
    const { diagnostics } = parseSpecText(text, FILE);
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.message.slice(0, 20).trim()}`)).toEqual(['17:10 the `[` opened here', '37:9 there is no space af']);
  });

  it('never quotes a value back: only keys, brackets and quotes', () => {
    const secret = 'Hunter2-zz9';
    const broken = [
      edit(VALID, '    user: root', `    user:${secret}`),
      edit(VALID, '    user: root', `    user: ${secret}: x`),
      edit(VALID, '    user: root', `    user: "${secret}`),
      edit(VALID, TYPES, `  types: [${secret}`),
      edit(VALID, '    user: root', `    user ${secret}`),
    ];
    for (const text of broken) {
      const { diagnostics } = parseSpecText(text, FILE);
      expect(diagnostics).not.toEqual([]);
      expect(JSON.stringify(diagnostics)).not.toContain(secret);
    }
  });

  it('explains any one-character slip in any line without failing, at a place inside the file', () => {
    const lines = VALID.split('\n');
    const slips: ((l: string) => string)[] = [
      (l) => l.replace(/:/, ''),
      (l) => l.replace(/: /, ':'),
      (l) => l.replace(/[\]}"']$/, ''),
      (l) => `${l} [`,
      (l) => `${l} "`,
      (l) => l.replace(/^ /, ''),
      (l) => ` ${l}`,
      (l) => l.replace(/^ {2}/, '\t'),
    ];
    let explained = 0;
    lines.forEach((line, i) => {
      for (const slip of slips) {
        const changed = slip(line);
        if (changed === line) continue;
        const text = [...lines.slice(0, i), changed, ...lines.slice(i + 1)].join('\n');
        const { diagnostics } = parseSpecText(text, FILE);
        for (const d of diagnostics) {
          expect(d.line, `${changed} → ${d.message}`).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(lines.length + 1);
          expect(d.col).toBeGreaterThanOrEqual(1);
          expect(d.message).not.toBe('');
          if (d.code === 'yaml-syntax' && !/Unexpected|Implicit|must|Missing/.test(d.message)) explained++;
        }
      }
    });
    expect(explained).toBeGreaterThan(40);
  });

  it("keeps the parser's own words for a mistake it has no better name for", () => {
    const { diagnostics } = parseSpecText('apiVersion: &a &b mig/v1\n', FILE);
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message} | ${d.fix}`)).toEqual([
      '1:16 yaml-syntax A node can have at most one anchor | check the indentation, quotes and brackets around this position',
    ]);
  });
});
