import { getDb } from "@/db/client";
import { enforceLimits, waitText } from "@/lib/abuse/rate-limit";
import { readBody } from "@/lib/api/body";
import { StartDeviceLoginBody } from "@/lib/device-login/schemas";
import { deviceLoginLimit, startDeviceLogin } from "@/lib/device-login/service";
import { clientIpOf } from "@/lib/http/client-ip";
import { route } from "@/lib/http/route";

/**
 * `devbox login` starts here (no credential yet): a device code for the CLI, a user code and the
 * page where a signed-in user approves it. Nothing is granted until that approval.
 */
export const POST = route(async (req: Request) => {
  const body = await readBody(req, StartDeviceLoginBody, { optional: true });
  const db = await getDb();
  // Anyone may ask: per address, a few a minute (each row lives ten minutes).
  await enforceLimits(db, [[deviceLoginLimit(), clientIpOf(req.headers)]], (s) => `Too many login requests from this address. Try again in ${waitText(s)}.`);
  const started = await startDeviceLogin(db, body.clientName ?? "");
  const verificationUri = new URL(`/device?code=${encodeURIComponent(started.userCode)}`, process.env.NEXTAUTH_URL).toString();
  return Response.json({ ...started, verificationUri }, { status: 201, headers: { "Cache-Control": "no-store" } });
});
