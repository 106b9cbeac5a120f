import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { RedeemDeviceLoginBody } from "@/lib/device-login/schemas";
import { redeemDeviceLogin } from "@/lib/device-login/service";
import { route } from "@/lib/http/route";

/** The CLI's poll: 202 while the request waits for approval, then the API token, once. */
export const POST = route(async (req: Request) => {
  const { deviceCode } = await readBody(req, RedeemDeviceLoginBody);
  const result = await redeemDeviceLogin(await getDb(), deviceCode);
  if (result === "pending") return Response.json({ status: "pending" }, { status: 202 });
  return Response.json(result, { headers: { "Cache-Control": "no-store" } });
});
