import { createHmac } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { signAppsSession, signShareLink, verifyAppsSession, verifyShareLink } from "./tokens";

beforeAll(() => {
  process.env.NEXTAUTH_SECRET ??= "unit-test-secret";
});

describe("preview tokens", () => {
  const id = "0f8fad5b-d9cb-469f-a165-70867728950e";

  it("share links verify, and a changed id or signature does not", () => {
    const t = signShareLink(id);
    expect(verifyShareLink(t)).toBe(id);
    expect(verifyShareLink(t.replace(id, "1f8fad5b-d9cb-469f-a165-70867728950e"))).toBeNull();
    expect(verifyShareLink(`${t.slice(0, -1)}${t.endsWith("A") ? "B" : "A"}`)).toBeNull();
    expect(verifyShareLink(`${id}.`)).toBeNull();
    expect(verifyShareLink(undefined)).toBeNull();
  });

  it("an apps session is bound to its host and expires", () => {
    const v = signAppsSession({ userId: "u1", host: "3000--web--acme", sessionVersion: 2, sessionId: "s1", expiresAt: Date.now() + 60_000 });
    expect(verifyAppsSession(v, "3000--web--acme")).toMatchObject({ userId: "u1", sessionVersion: 2, sessionId: "s1" });
    expect(verifyAppsSession(v, "3000--api--acme")).toBeNull();
    expect(verifyAppsSession(v, "3000--web--acme", Date.now() + 120_000)).toBeNull();
    const [payload, sig] = v.split(".");
    const forged = Buffer.from(JSON.stringify(["admin", "3000--web--acme", 2, Date.now() + 60_000])).toString("base64url");
    expect(verifyAppsSession(`${forged}.${sig}`, "3000--web--acme")).toBeNull();
    expect(verifyAppsSession(`${payload}.`, "3000--web--acme")).toBeNull();
  });

  it("an apps session from before session ids (four fields) is no session: the browser is handed off again", () => {
    const resigned = signAppsSession({ userId: "u1", host: "3000--web--acme", sessionVersion: 2, sessionId: null, expiresAt: Date.now() + 60_000 });
    expect(verifyAppsSession(resigned, "3000--web--acme")).toMatchObject({ sessionId: null });
    // Signed as the earlier version signed it (the same key derivation), with four fields.
    const key = createHmac("sha256", process.env.NEXTAUTH_SECRET!).update("devbox-preview:apps-session").digest();
    const old = Buffer.from(JSON.stringify(["u1", "3000--web--acme", 2, Date.now() + 60_000])).toString("base64url");
    expect(verifyAppsSession(`${old}.${createHmac("sha256", key).update(old).digest("base64url")}`, "3000--web--acme")).toBeNull();
  });

  it("a value signed for one purpose does not verify for another", () => {
    const v = signAppsSession({ userId: id, host: "h", sessionVersion: 0, sessionId: null, expiresAt: Date.now() + 60_000 });
    expect(verifyShareLink(`${id}.${v.split(".")[1]}`)).toBeNull();
  });
});
