// Loads on live events without a request per event: while a load runs, any number of calls make
// one more load after it, not one each. `stillWanted()` stops the chain (the user signed out).

export function coalesced(load: () => Promise<void>, stillWanted = () => true): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await load();
        } while (again && stillWanted());
      } finally {
        // Cleared here, not by the caller, so a request arriving just now is never dropped.
        running = null;
      }
    })();
    return running;
  };
}
