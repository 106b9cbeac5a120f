// The preview proxy in a process of its own (a second dashboard replica), for
// test/integration/preview-replicas.test.ts: the dashboard's
// request and upgrade handlers (server/preview.ts) and Pod watch, on the DB named by DATABASE_URL,
// without Next.js. Prints {"port": N} once listening. Not a test itself.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getDb } from "@/db/client";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { tuneHeapForStreaming } from "@/server/heap-tuning";
import { handlePreviewRequest, handlePreviewUpgrade } from "@/server/preview";

tuneHeapForStreaming(); // as server.ts

await getDb();
const pods = devboxPodCache();
pods.start();
await pods.ready();
const server = createServer((req, res) => {
  if (!handlePreviewRequest(req, res)) res.writeHead(404).end();
});
server.on("upgrade", (req, socket, head) => handlePreviewUpgrade(req, socket, head) || socket.end("HTTP/1.1 404 Not Found\r\n\r\n"));
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
process.on("SIGTERM", () => process.exit(0));
