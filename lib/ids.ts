import { randomBytes, randomUUID } from "node:crypto";

export const newId = () => randomUUID();

/** Lower-case letters and digits, safe inside DNS labels. */
export function randomSuffix(length = 5): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}
