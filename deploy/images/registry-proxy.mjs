// Forwards the node's DEVBOX_REGISTRY address (e.g. 127.0.0.1:5000, where containerd pulls and
// the node agent pushes) to the registry's Service (DEVBOX_REGISTRY_URL, e.g.
// http://devbox-registry:5000). Runs on every node (deploy/base/registry.yaml, hostNetwork).
// Plain bytes both ways: TLS, if any, is end to end.
import net from "node:net";

function fail(message) {
  console.error(`[registry-proxy] cannot start: ${message}`);
  process.exit(1);
}

const listen = process.env.DEVBOX_REGISTRY ?? "";
const target = process.env.DEVBOX_REGISTRY_URL ?? "";
const m = /^(.+):(\d+)$/.exec(listen);
if (!m) fail(`DEVBOX_REGISTRY=${listen || "(unset)"} is not host:port`);
let url;
try {
  url = new URL(target);
} catch {
  fail(`DEVBOX_REGISTRY_URL=${target || "(unset)"} is not a URL`);
}
const [host, port] = [m[1], Number(m[2])];
const to = { host: url.hostname, port: Number(url.port || (url.protocol === "https:" ? 443 : 80)) };

const server = net.createServer((client) => {
  const upstream = net.connect(to);
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", close);
  upstream.on("error", (err) => {
    console.error(`[registry-proxy] ${to.host}:${to.port}: ${err.message}`);
    close();
  });
});
server.on("error", (err) => fail(`listening on ${host}:${port}: ${err.message}`));
server.listen(port, host, () => console.log(`[registry-proxy] ${host}:${port} -> ${to.host}:${to.port}`));
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.close(() => process.exit(0)));
