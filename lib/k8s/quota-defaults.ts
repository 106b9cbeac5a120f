// Operator defaults for every team namespace, overridable by environment variables.
export function teamQuotaDefaults() {
  const env = process.env;
  return {
    hard: {
      "limits.cpu": env.DEVBOX_TEAM_QUOTA_CPU ?? "8",
      "limits.memory": env.DEVBOX_TEAM_QUOTA_MEMORY ?? "16Gi",
      "requests.cpu": env.DEVBOX_TEAM_QUOTA_CPU ?? "8",
      "requests.memory": env.DEVBOX_TEAM_QUOTA_MEMORY ?? "16Gi",
      "limits.ephemeral-storage": env.DEVBOX_TEAM_QUOTA_DISK ?? "100Gi",
      pods: env.DEVBOX_TEAM_QUOTA_PODS ?? "20",
      services: env.DEVBOX_TEAM_QUOTA_SERVICES ?? "20",
    },
    containerLimit: { cpu: "1", memory: "2Gi" },
    containerRequest: { cpu: "100m", memory: "256Mi" },
  };
}
