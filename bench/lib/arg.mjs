// The command line of the baseline scripts in bench/baselines: `--name value` pairs.

/** The value after --name: `fallback` when the flag is absent, an error when it has none. */
export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  return process.argv[i + 1];
}
