// Runs the reconciler and the Pod watch without the web UI: for operators who scale the two
// apart, and for tests that kill the control plane mid-operation.
import { databaseHandle } from "../db/client";
import { startControlPlane } from "../lib/control-plane";

const { db } = await databaseHandle();
const controlPlane = await startControlPlane(db);
console.log("[devbox] control plane running");
const stop = () => void controlPlane.stop().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
