/**
 * Resolves every name (`*.localhost` included) to 127.0.0.1, as a browser does for *.localhost.
 * Its own module (no DB, no cluster): bench/_proxy-client.ts loads it in a process of its own.
 */
export function loopbackLookup(_host: string, opts: unknown, cb: (...a: unknown[]) => void) {
  if (typeof opts === "object" && opts && (opts as { all?: boolean }).all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
  else cb(null, "127.0.0.1", 4);
}
