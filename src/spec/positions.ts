// Where things are in a parsed YAML document: turns a data path into the 1-based line and column
// of the node a user has to edit, and into the readable path string diagnostics carry.
import { isMap, isNode, isPair, isScalar, type Document, type LineCounter, type Node } from 'yaml';
import { sourceIndex } from './scalar-offset.js';

export type DataPath = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

/** `spec.objects[0].tables[1].name`; keys that are not plain identifiers are written as `["a key"]`. */
export function formatPath(path: DataPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** zod paths may hold symbols in theory; specs are plain data, so strings and numbers are enough. */
export function toDataPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((seg) => (typeof seg === 'number' ? seg : String(seg)));
}

/** Finds nodes of one document and reports their positions. */
export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    /** The file's text; without it, positions inside a value fall back to the value's start. */
    private readonly text?: string,
  ) {}

  at(offset: number): Position {
    return this.lineCounter.linePos(offset);
  }

  /** Where the document's content starts (its first key), or the document itself when empty. */
  documentStart(): Position {
    const contents = this.doc.contents;
    const start = isNode(contents) && contents.range ? contents.range[0] : (this.doc.range?.[0] ?? 0);
    return this.at(start);
  }

  /**
   * Position of the node at `path`. When the path does not exist in the YAML (a missing field, or a
   * path through an alias), the nearest ancestor that does exist is used: that is where the user
   * has to add or change something.
   */
  node(path: DataPath): Position {
    for (let len = path.length; len > 0; len--) {
      const node = this.doc.getIn(path.slice(0, len), true);
      if (isNode(node) && node.range) return this.at(node.range[0]);
    }
    return this.documentStart();
  }

  /**
   * Position of character `index` of the string value at `path`: exact for a one-line plain or quoted
   * scalar, the value's start otherwise (block scalars fold lines, so the mapping is not one to one).
   */
  within(path: DataPath, index: number): Position {
    const node = this.find(path);
    if (this.text === undefined || !isScalar(node) || !node.range) return this.node(path);
    const [start, end] = node.range;
    const i = sourceIndex(this.text.slice(start, end), node.type, index);
    return this.at(start + (i ?? 0));
  }

  /** Position of the KEY `key` in the map at `mapPath` (for unknown fields: the key is what is wrong). */
  key(mapPath: DataPath, key: string): Position {
    const map = mapPath.length === 0 ? this.doc.contents : this.doc.getIn(mapPath, true);
    if (isMap(map)) {
      for (const item of map.items) {
        if (!isPair(item)) continue;
        const k = item.key;
        const matches = isScalar(k) ? String(k.value) === key : k === key;
        if (matches && isNode(k) && k.range) return this.at(k.range[0]);
      }
    }
    return this.node([...mapPath, key]);
  }

  /** The raw YAML node at `path`, when it exists. */
  find(path: DataPath): Node | undefined {
    const node = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    return isNode(node) ? node : undefined;
  }
}
