// tsc compiles TypeScript only: files the code loads at run time (.proto definitions) are copied
// next to their compiled modules, so dist/ works on its own.
import { cpSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function copyProtos(from, to) {
  for (const name of readdirSync(from)) {
    const src = path.join(from, name);
    if (statSync(src).isDirectory()) copyProtos(src, path.join(to, name));
    else if (name.endsWith('.proto')) cpSync(src, path.join(to, name));
  }
}

copyProtos('src', 'dist');
