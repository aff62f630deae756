// SIGINT and SIGTERM as an abort signal for the length of a command: long commands stop at a
// checkpoint and exit instead of dying mid-write; `release` puts Node's default handling back.
export interface Interrupt {
  abort: AbortController;
  release: () => void;
}

export function interruptOnSignals(): Interrupt {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    abort,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
