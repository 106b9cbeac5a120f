import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./client";
import { testBackends } from "./test-backends";
import { CLIENT_IP_HEADER } from "@/lib/http/client-ip";
import { limitPreviewHandoff } from "@/lib/preview/handoff-limit";

const from = (ip: string) => new Headers({ [CLIENT_IP_HEADER]: ip });

describe.each(testBackends())("preview hand-off rate limit on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
  });
  afterAll(async () => close?.());

  it("refuses a user's 61st hand-off within a minute with a 429 page and Retry-After; another user goes on", async () => {
    for (let i = 1; i <= 60; i++) expect(await limitPreviewHandoff(db, from(`10.2.0.${i}`), "user-ada")).toBeNull();
    const refused = await limitPreviewHandoff(db, from("10.2.1.1"), "user-ada");
    expect(refused?.status).toBe(429);
    const retryAfter = Number(refused!.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused!.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(await refused!.text()).toMatch(/Too many preview sign-ins\. Try again in \d+ seconds?\./);
    expect(await limitPreviewHandoff(db, from("10.2.1.1"), "user-bob")).toBeNull();
  });

  it("limits one address across users", async () => {
    for (let i = 0; i < 300; i++) expect(await limitPreviewHandoff(db, from("192.0.2.9"), `spray-${i}`)).toBeNull();
    expect((await limitPreviewHandoff(db, from("192.0.2.9"), "spray-x"))?.status).toBe(429);
    expect(await limitPreviewHandoff(db, from("192.0.2.10"), "spray-x")).toBeNull();
  });
});
