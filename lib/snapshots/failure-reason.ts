import { AppError } from "@/lib/errors";
import { AgentError } from "./agent-client";
import { RegistryError } from "./registry";

/**
 * Why a snapshot failed, in a sentence a user can read on the devbox page (it is stored as the
 * devbox's last error). Agent and registry errors are written that way; anything else (a bug, a
 * Kubernetes or DB error with object names and addresses in it) is logged and summed up.
 */
export function snapshotFailureReason(err: unknown, where: string): string {
  const detail = err instanceof AgentError || err instanceof RegistryError ? err.detail : undefined;
  console.error(`[devbox] snapshot of ${where} failed:`, err instanceof Error ? err.message : err, ...(detail ? [`(${detail})`] : []));
  if (err instanceof AgentError || err instanceof RegistryError) return err.message;
  if (err instanceof AppError && err.code !== "internal") return err.message;
  return "an unexpected error. The details are in the dashboard's log.";
}
