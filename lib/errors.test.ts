import { describe, expect, it } from "vitest";
import { AppError, toAppError } from "./errors";

describe("AppError", () => {
  it("maps codes to HTTP statuses and a JSON body without the cause", async () => {
    const err = new AppError("not_found", "Team not found", { cause: new Error("secret detail") });
    const res = err.toResponse();
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "Team not found" } });
  });

  it("hides unknown errors behind a generic internal error", () => {
    const original = console.error;
    console.error = () => {};
    try {
      const err = toAppError(new Error("password=hunter2"));
      expect(err.code).toBe("internal");
      expect(err.status).toBe(500);
      expect(err.message).not.toContain("hunter2");
    } finally {
      console.error = original;
    }
  });
});
