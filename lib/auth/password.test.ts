import { describe, expect, it } from "vitest";
import { checkPasswordStrength, hashPassword, verifyPassword } from "./password";

describe("checkPasswordStrength", () => {
  it.each(["short1!", "abcdefghijkl", "aaaaaaaaaaaa1", "1234567890", "Password123".toLowerCase().replace("123", "1234")])(
    "rejects %j",
    (pw) => expect(() => checkPasswordStrength(pw)).toThrow(),
  );
  it.each(["correct horse 7", "Tr0ub4dor&3x", "devbox-2026-ok"])("accepts %j", (pw) => {
    expect(() => checkPasswordStrength(pw)).not.toThrow();
  });
});

describe("hashPassword", () => {
  it("produces an argon2id hash that verifies only the same password", async () => {
    const hash = await hashPassword("correct horse 7");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, "correct horse 7")).toBe(true);
    expect(await verifyPassword(hash, "correct horse 8")).toBe(false);
    expect(await verifyPassword("not-a-hash", "x")).toBe(false);
  });
});
