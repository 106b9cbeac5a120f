import fs from "node:fs";
import { CoreV1Api } from "@kubernetes/client-node";
import { kubeConfig } from "@/lib/k8s/config";

/**
 * The dashboard's side of the node agent's API (agent/README.md): POST /v1/commits and
 * /v1/merges with a bearer token, NDJSON progress, the last line is the result.
 */

export const AGENT_NAMESPACE = process.env.DEVBOX_AGENT_NAMESPACE ?? "devbox-system";
export const AGENT_SECRET = process.env.DEVBOX_AGENT_SECRET || "devbox-agent-token";
export const agentPort = () => Number(process.env.DEVBOX_AGENT_PORT ?? 7070);

export interface AgentProgress {
  phase: string;
  bytes: number;
  uncompressedBytes?: number;
  message?: string;
}

export interface AgentResult extends AgentProgress {
  phase: "done";
  image: string;
  digest: string;
  layerDigest?: string;
  diffId?: string;
  layerSize?: number;
  layerCount: number;
  durationMs: number;
  frozenMs?: number;
  mode?: "frozen" | "exited";
  /** Graceful stop: ms from SIGTERM until the container had exited. */
  stopMs?: number;
  /** Graceful stop: processes were still running after the grace and got SIGKILL. */
  killed?: boolean;
  parent?: string;
  unchanged?: boolean;
  reused?: boolean;
  files?: number;
  whiteouts?: number;
}

export interface CommitRequest {
  containerId?: string;
  namespace?: string;
  pod?: string;
  container?: string;
  parentImage: string;
  targetRepository: string;
  targetTag: string;
  trigger: string;
  requestId: string;
  /**
   * Graceful stop instead of a freeze: SIGTERM to every process of the container, up to
   * graceSeconds (0–3600) for them to exit, then SIGKILL; the exited container is committed.
   * The container stays exited afterwards (stop path only).
   */
  stop?: { graceSeconds: number };
}

export interface MergeRequest {
  image: string;
  ownLayers: number;
  targetRepository: string;
  targetTag: string;
  requestId: string;
}

/**
 * The agent could not be reached or refused. The message is what the user reads: plain words, no
 * node address, Secret or host path; `detail` says which and why, for the log only.
 */
export class AgentError extends Error {
  /** The agent did not answer at all (restarting, crash-loop back-off): worth waiting for. */
  readonly unreachable: boolean;
  readonly detail?: string;
  constructor(message: string, options?: { cause?: unknown; unreachable?: boolean; detail?: string }) {
    super(message, options);
    this.name = "AgentError";
    this.unreachable = options?.unreachable ?? false;
    this.detail = options?.detail;
  }
}

let cachedToken: { value: string; at: number } | undefined;

/** DEVBOX_AGENT_TOKEN, DEVBOX_AGENT_TOKEN_FILE, or the Secret the agent reads (re-read every minute: rotation). */
export async function agentToken(): Promise<string> {
  if (process.env.DEVBOX_AGENT_TOKEN) return process.env.DEVBOX_AGENT_TOKEN;
  if (process.env.DEVBOX_AGENT_TOKEN_FILE) return fs.readFileSync(process.env.DEVBOX_AGENT_TOKEN_FILE, "utf8").trim();
  if (cachedToken && Date.now() - cachedToken.at < 60_000) return cachedToken.value;
  try {
    const secret = await kubeConfig().makeApiClient(CoreV1Api).readNamespacedSecret({ name: AGENT_SECRET, namespace: AGENT_NAMESPACE });
    const value = Buffer.from(secret.data?.token ?? "", "base64").toString("utf8").trim();
    if (!value) throw new Error("it has no token key");
    cachedToken = { value, at: Date.now() };
    return value;
  } catch (err) {
    throw new AgentError("The node agent is not set up on this cluster (its access token cannot be read). An administrator can see why in the dashboard's log.", {
      cause: err,
      detail: `reading Secret ${AGENT_NAMESPACE}/${AGENT_SECRET}: ${err instanceof Error ? err.message : err}`,
    });
  }
}

const CONNECT_TIMEOUT_MS = Number(process.env.DEVBOX_AGENT_CONNECT_TIMEOUT_MS ?? 10_000);
// The agent reports at least every few seconds while it works; silence this long means it is gone.
const IDLE_TIMEOUT_MS = Number(process.env.DEVBOX_AGENT_IDLE_TIMEOUT_MS ?? 120_000);

async function call(nodeIP: string, path: string, body: unknown, onProgress?: (p: AgentProgress) => void): Promise<AgentResult> {
  const url = `http://${nodeIP}:${agentPort()}${path}`;
  const token = await agentToken();
  const abort = new AbortController();
  let timer = setTimeout(() => abort.abort(new Error("connect timeout")), CONNECT_TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: abort.signal,
    });
  } catch (err) {
    clearTimeout(timer);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    throw new AgentError("The node agent is unreachable. Changes are kept in the container; retrying.", { cause: err, unreachable: true, detail: `${url}: ${why}` });
  }
  const reset = () => {
    clearTimeout(timer);
    timer = setTimeout(() => abort.abort(new Error("idle timeout")), IDLE_TIMEOUT_MS);
  };
  reset();
  try {
    if (!res.body) throw new AgentError(`The node agent answered ${res.status} without a body.`, { detail: url });
    const decoder = new TextDecoder();
    let buf = "";
    let last: (AgentProgress & { error?: string }) | undefined;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      reset();
      buf += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        last = JSON.parse(line);
        if (last && last.phase !== "done" && last.phase !== "error") onProgress?.(last);
      }
    }
    if (buf.trim()) last = JSON.parse(buf.trim());
    if (!last) throw new AgentError(`The node agent answered ${res.status} with no result.`);
    if (last.phase === "error")
      throw new AgentError(res.status === 401 ? "The node agent refused the dashboard's token." : "The node agent could not save the container. The details are in the dashboard's log.", { detail: `${url}: ${last.error}` });
    if (last.phase !== "done") throw new AgentError(`The node agent stopped answering during "${last.phase}". Retrying.`);
    return last as AgentResult;
  } catch (err) {
    if (err instanceof AgentError) throw err;
    throw new AgentError("Lost the connection to the node agent. Retrying.", { cause: err, detail: `${url}: ${err instanceof Error ? err.message : err}` });
  } finally {
    clearTimeout(timer);
  }
}

export const agentCommit = (nodeIP: string, req: CommitRequest, onProgress?: (p: AgentProgress) => void) => call(nodeIP, "/v1/commits", req, onProgress);
export const agentMerge = (nodeIP: string, req: MergeRequest, onProgress?: (p: AgentProgress) => void) => call(nodeIP, "/v1/merges", req, onProgress);

export async function agentHealthy(nodeIP: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${nodeIP}:${agentPort()}/healthz`, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}
