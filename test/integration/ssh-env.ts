// Imported first by ssh.test.ts: environment read at module load must be set before other imports.
import { randomBytes } from "node:crypto";

process.env.DEVBOX_INSTANCE = `it-ssh-${randomBytes(3).toString("hex")}`;
process.env.NEXTAUTH_SECRET = randomBytes(32).toString("hex");
