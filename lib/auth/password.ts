import { hash, verify } from "@node-rs/argon2";
import { AppError } from "@/lib/errors";

export const PASSWORD_MIN_LENGTH = 10;

// A few of the most common passwords that pass the length rule.
const common = new Set(["1234567890", "password123", "qwertyuiop", "iloveyou123", "password1234", "abcdefghij"]);

/** Rejects weak passwords with a message the sign-up form can show. */
export function checkPasswordStrength(password: string): void {
  const fail = (message: string) => new AppError("bad_request", message, { field: "password" });
  if (password.length < PASSWORD_MIN_LENGTH) throw fail(`Use at least ${PASSWORD_MIN_LENGTH} characters.`);
  if (password.length > 256) throw fail("Use at most 256 characters.");
  if (common.has(password.toLowerCase())) throw fail("This password is too common.");
  if (new Set(password).size < 5) throw fail("Use more varied characters.");
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(password)).length;
  if (kinds < 2) throw fail("Mix letters with digits, capitals or symbols.");
}

// Argon2id with OWASP's recommended minimum (19 MiB, 2 passes): memory-hard, ~30 ms here.
const params = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, params);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
