import NextAuth from "next-auth";
import { getDb } from "@/db/client";
import { authOptions } from "@/lib/auth/options";
import { limitCredentialsSignIn } from "@/lib/auth/signin-limit";

const handler = NextAuth(authOptions);

type Ctx = { params: Promise<{ nextauth: string[] }> };

// Password sign-ins pass the rate limit first (429 with Retry-After when over it).
async function POST(req: Request, ctx: Ctx): Promise<Response> {
  if (new URL(req.url).pathname.endsWith("/callback/credentials")) {
    const refused = await limitCredentialsSignIn(await getDb(), req);
    if (refused) return refused;
  }
  return handler(req, ctx);
}

export { handler as GET, POST };
