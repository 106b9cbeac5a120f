import type { Operation } from "./operation";
import { adminOperations } from "./operations/admin";
import { deviceLoginOperations } from "./operations/device-login";
import { devboxOperations } from "./operations/devboxes";
import { idleOperations } from "./operations/idle";
import { metaOperations } from "./operations/meta";
import { snapshotOperations } from "./operations/snapshots";
import { sshOperations } from "./operations/ssh";
import { teamOperations } from "./operations/teams";
import { templateOperations } from "./operations/templates";
import { tokenOperations } from "./operations/tokens";

/**
 * Every operation of the REST API. A route handler under app/api/v1 is described in the
 * lib/api/operations/<area>.ts of its area (lib/api/registry.test.ts fails until it is); a new
 * area's file is listed here once.
 */
export const operations: Operation[] = [
  ...metaOperations,
  ...templateOperations,
  ...teamOperations,
  ...devboxOperations,
  ...idleOperations,
  ...snapshotOperations,
  ...tokenOperations,
  ...deviceLoginOperations,
  ...sshOperations,
  ...adminOperations,
];
