import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/session";
import { inspectInvite } from "@/lib/invites/service";
import { AcceptInviteButton } from "./accept-button";

export const metadata: Metadata = { title: "Team invite" };

const REFUSED = {
  not_found: ["Invite not found", "This invite link does not exist. Check that you copied all of it."],
  expired: ["This invite has expired", "Ask the team for a new invite link."],
  revoked: ["This invite was revoked", "Ask the team for a new invite link."],
  used_up: ["This invite has been used up", "It was used as many times as it allows. Ask the team for a new one."],
  creator_gone: ["This invite no longer works", "Whoever created it can no longer invite to this team. Ask the team for a new invite link."],
} as const;

/** An invite link: anyone may look (the token is the secret); joining needs an account, made here if need be. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const info = await inspectInvite(await getDb(), token);
  const box = "mx-auto mt-[12vh] max-w-md space-y-4 rounded-lg border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900";
  if (info.state !== "pending") {
    const [title, body] = REFUSED[info.state];
    return (
      <main className={box} data-testid="invite-refused" data-state={info.state}>
        <h1 className="text-lg font-semibold">{title}</h1>
        <p className="text-sm text-zinc-500">{body}</p>
      </main>
    );
  }
  const user = await currentUser();
  const back = encodeURIComponent(`/invite/${token}`);
  return (
    <main className={box} data-testid="invite">
      <h1 className="text-lg font-semibold">Join {info.team!.displayName}</h1>
      <p className="text-sm text-zinc-500">
        You are invited to the team <b>{info.team!.slug}</b> as <b data-testid="invite-role">{info.role}</b>.
      </p>
      {user ? (
        <>
          <p className="text-sm">Signed in as {user.email}.</p>
          <AcceptInviteButton token={token} />
        </>
      ) : (
        <div className="flex gap-3 text-sm">
          <Link className="font-medium text-indigo-600 hover:underline" href={`/login?callbackUrl=${back}`} data-testid="invite-signin">Sign in</Link>
          <span className="text-zinc-400">or</span>
          <Link className="font-medium text-indigo-600 hover:underline" href={`/register?callbackUrl=${back}`} data-testid="invite-signup">Create an account</Link>
        </div>
      )}
    </main>
  );
}
