import type { Operation } from "./operation";
import { adminOperations } from "./operations/admin";
import { appOperations } from "./operations/apps";
import { auditOperations } from "./operations/audit";
import { deviceLoginOperations } from "./operations/device-login";
import { devboxOperations } from "./operations/devboxes";
import { idleOperations } from "./operations/idle";
import { inviteOperations } from "./operations/invites";
import { metaOperations } from "./operations/meta";
import { releaseOperations } from "./operations/releases";
import { previewOperations } from "./operations/preview";
import { snapshotOperations } from "./operations/snapshots";
import { sshOperations } from "./operations/ssh";
import { teamOperations } from "./operations/teams";
import { templateOperations } from "./operations/templates";
import { terminalShareOperations } from "./operations/terminal-shares";
import { tokenOperations } from "./operations/tokens";
import { usageOperations } from "./operations/usage";

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
  ...releaseOperations,
  ...appOperations,
  ...tokenOperations,
  ...deviceLoginOperations,
  ...sshOperations,
  ...adminOperations,
  ...previewOperations,
  ...inviteOperations,
  ...terminalShareOperations,
  ...auditOperations,
  ...usageOperations,
];
