import { z } from "zod";
import type { Operation } from "../operation";

export const UserSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string(), isInstanceAdmin: z.boolean() })
  .meta({ id: "User", description: "The signed-in user (or the token's owner)." });

export const metaOperations: Operation[] = [
  {
    method: "GET",
    path: "/openapi.json",
    tag: "Meta",
    operationId: "getOpenApiDocument",
    summary: "This document",
    description: "The OpenAPI 3.1 document of this API, generated from the schemas that validate requests. Public: it describes, it grants nothing.",
    access: "public",
    responses: { 200: { description: "The OpenAPI document." } },
  },
  {
    method: "GET",
    path: "/user",
    tag: "Meta",
    operationId: "getCurrentUser",
    summary: "Who am I",
    access: "user",
    responses: { 200: { description: "The signed-in user.", schema: UserSchema } },
  },
];
