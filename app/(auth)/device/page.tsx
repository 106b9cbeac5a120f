import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { DeviceApproval } from "@/components/device/device-approval";
import { currentUser } from "@/lib/auth/session";
import { CLI_TOKEN_SCOPES, findPendingDeviceLogin } from "@/lib/device-login/service";

export const metadata: Metadata = { title: "Approve a login" };

/** Where `devbox login` sends the user: approve (or refuse) the code the CLI shows. */
export default async function DevicePage({ searchParams }: { searchParams: Promise<{ code?: string }> }) {
  const code = String((await searchParams).code ?? "").slice(0, 20);
  const user = await currentUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(`/device?code=${encodeURIComponent(code)}`)}`);
  const request = code ? await findPendingDeviceLogin(await getDb(), code) : undefined;
  return (
    <DeviceApproval
      code={code}
      email={user.email}
      request={request ? { clientName: request.clientName, createdAt: request.createdAt.toISOString(), userCode: request.userCode } : null}
      scopes={CLI_TOKEN_SCOPES}
    />
  );
}
