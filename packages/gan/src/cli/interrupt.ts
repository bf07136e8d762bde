// Ctrl-C (SIGINT) and SIGTERM during a long command: one line saying what is kept, then exit 128 + signal
// number (130, 143). Node runs the handlers only when the command yields to the event loop (between steps).

const CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Until the returned function is called, SIGINT and SIGTERM print `spiking-gan <cmd>: interrupted by <signal>; <what>`
 * (what = `report()`), run `cleanup` and exit with 130 or 143.
 */
export function onInterrupt(cmd: string, report: () => string, cleanup: () => void): () => void {
  const handlers = (Object.keys(CODES) as (keyof typeof CODES)[]).map((signal) => {
    const handler = () => {
      const fresh = process.stderr.isTTY ? '\n' : ''; // after a progress bar drawn in place
      process.stderr.write(`${fresh}spiking-gan ${cmd}: interrupted by ${signal}; ${report()}\n`);
      cleanup();
      process.exit(CODES[signal]);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.removeListener(signal, handler));
}
