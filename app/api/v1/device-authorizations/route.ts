import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { StartDeviceLoginBody } from "@/lib/device-login/schemas";
import { startDeviceLogin } from "@/lib/device-login/service";
import { route } from "@/lib/http/route";

/**
 * `devbox login` starts here (no credential yet): a device code for the CLI, a user code and the
 * page where a signed-in user approves it. Nothing is granted until that approval.
 */
export const POST = route(async (req: Request) => {
  const body = await readBody(req, StartDeviceLoginBody, { optional: true });
  const started = await startDeviceLogin(await getDb(), body.clientName ?? "");
  const verificationUri = new URL(`/device?code=${encodeURIComponent(started.userCode)}`, process.env.NEXTAUTH_URL).toString();
  return Response.json({ ...started, verificationUri }, { status: 201, headers: { "Cache-Control": "no-store" } });
});
