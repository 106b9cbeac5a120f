import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "@/db/client";
import { findUserByEmail } from "@/lib/users/queries";
import { registerUser } from "@/lib/users/register";
import { verifyPassword } from "./password";
import { oidcProvider } from "./oidc";
import { sessionVersionOf } from "./session-version";

// Sessions are signed JWTs (required by the credentials provider). The secret comes from
// NEXTAUTH_SECRET, which server.ts fills from the DB at start-up, so sessions survive restarts.
export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(credentials) {
        const email = credentials?.email?.trim().toLowerCase();
        const password = credentials?.password;
        if (!email || !password) return null;
        const user = await findUserByEmail(await getDb(), email);
        // Verify against a dummy hash when the user is unknown, so timing does not reveal accounts.
        const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, password);
        if (!user || !user.passwordHash || !ok) return null;
        return { id: user.id, email: user.email, name: user.name, sv: user.sessionVersion };
      },
    }),
    ...oidcProvider(),
  ],
  callbacks: {
    async signIn({ user, account }) {
      if (account?.provider !== "oidc") return true;
      if (!user.email) return false;
      const db = await getDb();
      if (!(await findUserByEmail(db, user.email.toLowerCase())))
        await registerUser(db, { email: user.email, name: user.name ?? undefined, bypassSignupClosed: true });
      return true;
    },
    async jwt({ token, user, account }) {
      // The session version is fixed when the token is issued (see session-version.ts).
      if (user && account?.provider === "credentials") {
        token.uid = user.id;
        token.sv = (user as { sv?: number }).sv ?? 0;
      }
      if (account?.provider === "oidc" && token.email) {
        const found = await findUserByEmail(await getDb(), token.email.toLowerCase());
        if (found) token.uid = found.id;
      }
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
