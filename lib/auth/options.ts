import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "@/db/client";
import { findUserByEmail, findUserById } from "@/lib/users/queries";
import { CLIENT_IP_HEADER } from "@/lib/http/client-ip";
import { safeCallbackPath } from "./callback-url";
import { secureDashboard, sessionCookieName } from "./session-cookie";
import { verifyPassword } from "./password";
import { refundSignInAttempt } from "./signin-limit";
import { oidcIssuerOf, oidcProvider } from "./oidc";
import { findLinkedUserId, resolveOidcSignIn } from "./oidc-link";
import { newSessionId, revokeSession, sessionClaimsOf, sessionVersionOf, SESSION_MAX_AGE_SECONDS, userForSession } from "./session-version";

// Sessions are signed JWTs (required by the credentials provider). The secret comes from
// NEXTAUTH_SECRET, which server.ts fills from the DB at start-up, so sessions survive restarts.
export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  // `__Host-` on https (lib/auth/session-cookie.ts): no sibling host can plant a session of its own.
  get cookies() {
    return { sessionToken: { name: sessionCookieName(), options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure: secureDashboard() } } };
  },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(credentials, req) {
        const email = credentials?.email?.trim().toLowerCase();
        const password = credentials?.password;
        if (!email || !password) return null;
        const user = await findUserByEmail(await getDb(), email);
        // Verify against a dummy hash when the user is unknown, so timing does not reveal accounts.
        const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, password);
        if (!user || !user.passwordHash || !ok) return null;
        await refundSignInAttempt(await getDb(), email, String(req?.headers?.[CLIENT_IP_HEADER] ?? "unknown"));
        return { id: user.id, email: user.email, name: user.name, sv: user.sessionVersion };
      },
    }),
    ...oidcProvider(),
  ],
  events: {
    // Plain sign-out (POST /api/auth/signout) ends this session on the server too: the cookie's
    // copies stop working, the user's other sessions go on. next-auth logs a failure here and
    // clears the cookie anyway.
    async signOut({ token }) {
      const claims = sessionClaimsOf(token);
      if (claims) await revokeSession(await getDb(), claims);
    },
  },
  callbacks: {
    // After sign-in or sign-out: the same rule as the login page, a path on our origin or home.
    async redirect({ url, baseUrl }) {
      return new URL(safeCallbackPath(url, baseUrl), baseUrl).href;
    },
    async signIn({ user, account, profile }) {
      if (account?.provider !== "oidc") return true;
      const claims = profile as { iss?: string; email?: string; email_verified?: unknown; name?: string } | undefined;
      const result = await resolveOidcSignIn(await getDb(), {
        issuer: oidcIssuerOf(claims),
        subject: account.providerAccountId,
        email: claims?.email ?? user.email,
        emailVerified: claims?.email_verified,
        name: claims?.name ?? user.name,
      });
      // A refusal lands on the login page, which explains it.
      return "refused" in result ? `/login?error=${result.refused}` : true;
    },
    async jwt({ token, user, account, profile }) {
      // The session version and id are fixed when the token is issued (see session-version.ts).
      if (user && account?.provider === "credentials") {
        token.uid = user.id;
        token.sv = (user as { sv?: number }).sv ?? 0;
        token.sid = newSessionId();
        return token;
      }
      if (account?.provider === "oidc") {
        // signIn linked (issuer, subject) to the account: the identity, not the email, decides.
        const db = await getDb();
        const uid = await findLinkedUserId(db, oidcIssuerOf(profile as { iss?: string } | undefined), account.providerAccountId);
        const found = uid ? await findUserById(db, uid) : undefined;
        if (found) {
          token.uid = found.id;
          token.sv = found.sessionVersion;
          token.sid = newSessionId();
        }
        return token;
      }
      // A refresh (GET /api/auth/session) extends the cookie: never for a revoked session, or a
      // copy signed out of could be kept alive past its revocation row (revokeSession). Thrown,
      // next-auth answers with no session and clears the cookie.
      const claims = sessionClaimsOf(token);
      if (claims && !(await userForSession(await getDb(), claims))) throw new Error("The session was signed out.");
      return token;
    },
    async session({ session, token }) {
      if (session.user && typeof token.uid === "string") {
        (session.user as { id?: string }).id = token.uid;
        (session.user as { sv?: number }).sv = sessionVersionOf(token);
      }
      return session;
    },
  },
};

// argon2id hash of a random string; only used to spend the same time on unknown emails.
const DUMMY_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3Xw0zOqg6Ih0qk3W0Kq0m2r9yZ9z6lQm4m7tQvWcPZc";
