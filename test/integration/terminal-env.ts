// Imported first by the terminal tests: environment read at module load (the reconciler's Lease
// name) must be set before any other import is evaluated.
import { randomBytes } from "node:crypto";

process.env.DEVBOX_INSTANCE = `it-term-${randomBytes(3).toString("hex")}`;
process.env.NEXTAUTH_SECRET = randomBytes(32).toString("hex");
