import { describe, expect, it } from "vitest";
import { refuseNulInBody } from "./nul-guard";

const post = (body: string) => new Request("http://localhost/x", { method: "POST", body });

describe("refuseNulInBody", () => {
  it("refuses a NUL, escaped or raw, anywhere in the body", async () => {
    for (const body of ['{"templateId":"a\\u0000b"}', '{"x":"\\\\\\u0000"}', "a\0b", '{"k":"\\U0000"}'])
      await expect(refuseNulInBody(post(body)), body).rejects.toMatchObject({ code: "bad_request" });
  });

  it("lets other bodies through, and leaves the body readable", async () => {
    const req = post('{"name":"a\\\\u0000 is just text","n":1}');
    await expect(refuseNulInBody(req)).resolves.toBeUndefined();
    expect(await req.json()).toEqual({ name: "a\\u0000 is just text", n: 1 });
    await expect(refuseNulInBody(new Request("http://localhost/x"))).resolves.toBeUndefined();
  });
});
