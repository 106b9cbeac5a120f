import { ApiException } from "@kubernetes/client-node";
import { AppError } from "@/lib/errors";
import { withoutInfrastructure } from "./scrub";

export function k8sStatusCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  return undefined;
}

export const isNotFound = (err: unknown) => k8sStatusCode(err) === 404;
export const isAlreadyExists = (err: unknown) => k8sStatusCode(err) === 409;

/** The apiserver's own explanation, e.g. "exceeded quota: …". */
export function k8sMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body = typeof err.body === "string" ? safeParse(err.body) : err.body;
    if (body && typeof body === "object" && "message" in body) return String((body as { message: unknown }).message);
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/**
 * What a user reads when Kubernetes refused something. The apiserver's own text names objects,
 * Secrets and addresses of the cluster: it goes to the log, the user gets a plain sentence.
 */
export function refusalMessage(action: string, err: unknown): string {
  console.error(`[devbox] Kubernetes refused to ${action}:`, k8sMessage(err));
  return `Kubernetes refused to ${action}. The details are in the dashboard's log.`;
}

/** "exceeded quota: devbox-quota, requested: memory=2Gi, used: …" → "requested: memory=2Gi, used: …". */
export function quotaDetail(detail: string): string {
  const m = /exceeded quota: [^,]*, (.*)$/i.exec(detail);
  return withoutInfrastructure(m ? m[1] : "the team's quota is used up");
}

/** Maps a Kubernetes failure to what a user should read. */
export function fromK8sError(err: unknown, action: string): AppError {
  const code = k8sStatusCode(err);
  const detail = k8sMessage(err);
  if (code === 403 && /exceeded quota/i.test(detail))
    return new AppError("quota_exceeded", `Team quota exceeded: ${quotaDetail(detail)}`, { cause: err });
  if (code === undefined || code >= 500)
    return new AppError("unavailable", `Kubernetes is unreachable (${action}). Try again shortly.`, { cause: err });
  return new AppError("internal", refusalMessage(action, err), { cause: err });
}
