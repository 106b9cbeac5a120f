// The full schema, for drizzle's relational typing. Each table lives in its own file under db/schema/.
export { users } from "./schema/users";
export { userIdentities } from "./schema/user-identities";
export { rateLimits } from "./schema/rate-limits";
export { teams } from "./schema/teams";
export { memberships, teamRole } from "./schema/memberships";
export { auditEvents } from "./schema/audit-events";
export { instanceSettings } from "./schema/instance-settings";
export { templates } from "./schema/templates";
export { devboxes, desiredState } from "./schema/devboxes";
export { devboxOperations, operationKind, operationStatus } from "./schema/devbox-operations";
export { snapshots, snapshotTrigger } from "./schema/snapshots";
export { registryHolds, registryHoldKind } from "./schema/registry-holds";
export { previewPorts, previewLevel } from "./schema/preview-ports";
export { teamPreviewSettings } from "./schema/team-preview-settings";
export { shareLinks } from "./schema/share-links";
export { previewCodes } from "./schema/preview-codes";
export { teamInvites } from "./schema/team-invites";
