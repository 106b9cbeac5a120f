import { toAppError, type ErrorBody } from "@/lib/errors";

export type ActionResult<T = undefined> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** Runs a server action body and returns errors as data, so forms can show them next to the field. */
export async function runAction<T>(work: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await work() };
  } catch (err) {
    // next/navigation's redirect() and notFound() signal by throwing; let them through.
    if (err && typeof err === "object" && "digest" in err && String((err as { digest: unknown }).digest).startsWith("NEXT_"))
      throw err;
    return { ok: false, error: toAppError(err).toJSON() };
  }
}
