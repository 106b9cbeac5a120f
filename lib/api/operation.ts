import type { z } from "zod";
import type { TeamRole } from "@/db/schema/memberships";
import type { ErrorCode } from "@/lib/errors";
import type { TokenScope } from "@/lib/tokens/scopes";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Who may call an operation, as lib/authz decides it: anyone, any signed-in user, instance
 * administrators, or members of the team in the path with at least this role.
 */
export type Access = "public" | "user" | "instanceAdmin" | { team: TeamRole };

export interface ResponseSpec {
  description: string;
  /** A zod schema with a `.meta({ id })` (it becomes a component); none for empty answers. */
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
}

/** One path + method of the REST API: what the OpenAPI document says about it. */
export interface Operation {
  method: HttpMethod;
  /** Below /api/v1, OpenAPI style: "/teams/{team}/devboxes/{name}". */
  path: string;
  /** Groups operations in the document and on /docs/api. */
  tag: string;
  operationId: string;
  summary: string;
  description?: string;
  access: Access;
  /**
   * What an API token needs besides the role: by default the role's scope (viewer → devboxes:read,
   * developer → devboxes:write, admin/owner and instance administration → admin) and nothing for
   * "user" operations; "session" when only a signed-in browser may call it.
   */
  tokenScope?: TokenScope | "session";
  query?: z.ZodObject;
  /** The schema the route handler validates its body with (it must have `.meta({ id })`). */
  body?: z.ZodType;
  /** An empty body is accepted (as `{}`). */
  bodyOptional?: boolean;
  /** Success answers by status. */
  responses: Record<number, ResponseSpec>;
  /** Failures besides the ones access, body and CSRF imply (e.g. 409 for a stopped devbox). */
  errors?: ErrorCode[];
}

/** Path parameters every operation shares, described once. */
export const PATH_PARAMS: Record<string, string> = {
  team: "The team's slug.",
  name: "The devbox's name.",
  id: "The snapshot's (or token's) id.",
  port: "A port the devbox declares.",
  userId: "The member's user id.",
  tag: "The release's tag.",
  app: "The app's name.",
};

/** A value as JSON carries it (dates become strings). */
export type JsonOf<T> = T extends Date ? string : T extends (infer U)[] ? JsonOf<U>[] : T extends object ? { [K in keyof T]: JsonOf<T[K]> } : T;
/**
 * Compile-time check that what a handler sends is exactly the schema the document shows: a field
 * missing on either side (optional ones too) fails `tsc`. Use as
 * `Assert<Matches<JsonOf<View>, z.infer<typeof Schema>>>`, or type the view as `z.infer<typeof Schema>`.
 */
export type Matches<Actual, Expected> = Same<Actual, Expected> extends true ? true : { error: "the view and its schema differ"; view: Actual; schema: Expected };
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Fails compilation unless T is `true`. */
export type Assert<T extends true> = T;
