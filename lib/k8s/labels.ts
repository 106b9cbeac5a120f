// Labels on every object the dashboard creates, so they can be found and garbage-collected together.
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "devbox" } as const;
export const TEAM_LABEL = "devbox.dev/team";
