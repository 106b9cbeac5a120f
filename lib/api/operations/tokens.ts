import { createdTokenView, createTokenBody, tokenList } from "@/lib/tokens/schemas";
import type { Operation } from "../operation";

export const tokenOperations: Operation[] = [
  {
    method: "GET",
    path: "/tokens",
    tag: "Tokens",
    operationId: "listTokens",
    summary: "List your API tokens",
    description: "Name, prefix, scopes, restriction, expiry and last use; never the secret.",
    access: "user",
    responses: { 200: { description: "Your tokens.", schema: tokenList } },
  },
  {
    method: "POST",
    path: "/tokens",
    tag: "Tokens",
    operationId: "createToken",
    summary: "Create an API token",
    description: "Needs a browser session (a token cannot mint tokens). The answer is the only time the secret is shown.",
    access: "user",
    tokenScope: "session",
    body: createTokenBody,
    responses: { 201: { description: "The token and its secret.", schema: createdTokenView } },
  },
  {
    method: "DELETE",
    path: "/tokens/{id}",
    tag: "Tokens",
    operationId: "revokeToken",
    summary: "Revoke an API token",
    access: "user",
    responses: { 204: { description: "Revoked." } },
    errors: ["not_found"],
  },
];
