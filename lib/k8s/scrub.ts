/**
 * Kubernetes texts (Pod status messages, events) are written for cluster operators: they name
 * node and registry addresses, host paths and Secrets. Before a user reads one, those parts are
 * replaced by a word; the full text stays in Kubernetes (and in our logs where we log it).
 */
const RULES: [RegExp, string][] = [
  [/\b(?:https?|tcp|udp|unix|grpc):\/\/[^\s"',;)]+/gi, "[address]"],
  [/\[[0-9a-f:]*:[0-9a-f:]*\](?::\d+)?/gi, "[address]"],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g, "[address]"],
  [/(?<![\w.-])\/(?:var|etc|run|root|home|tmp|opt|usr|proc|sys|srv|mnt|data|dev)\/[^\s"',;)]*/g, "[path]"],
  [/\b(secrets?)\s+"[^"]*"/gi, "$1"],
];

export function withoutInfrastructure(text: string): string {
  let out = text;
  for (const [re, word] of RULES) out = out.replace(re, word);
  return out;
}
