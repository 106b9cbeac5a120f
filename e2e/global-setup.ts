import fs from "node:fs";

// Every run starts from an empty metadata DB, so the first sign-up is predictable.
export default function globalSetup() {
  fs.rmSync(process.env.E2E_DATA_DIR ?? ".cache/e2e-data", { recursive: true, force: true });
}
