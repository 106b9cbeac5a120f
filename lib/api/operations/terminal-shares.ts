import { createTerminalShareBody, TerminalShareList, TerminalShareSchema } from "@/lib/terminal/schemas";
import type { Operation } from "../operation";

export const terminalShareOperations: Operation[] = [
  {
    method: "GET",
    path: "/teams/{team}/devboxes/{name}/terminal-shares",
    tag: "Terminal sharing",
    operationId: "listTerminalShares",
    summary: "List your shared terminals",
    description: "The live terminals of this devbox you share, with whom and how. Not paged: shares last as long as your open terminals.",
    access: { team: "developer" },
    responses: { 200: { description: "Your shares.", schema: TerminalShareList } },
  },
  {
    method: "POST",
    path: "/teams/{team}/devboxes/{name}/terminal-shares",
    tag: "Terminal sharing",
    operationId: "shareTerminal",
    summary: "Share a live terminal",
    description: "With a teammate, read-only or to type (developers and up). It ends when you revoke it or the terminal closes.",
    access: { team: "developer" },
    body: createTerminalShareBody,
    responses: { 201: { description: "The share, with the page the guest opens.", schema: TerminalShareSchema } },
  },
  {
    method: "DELETE",
    path: "/teams/{team}/devboxes/{name}/terminal-shares/{id}",
    tag: "Terminal sharing",
    operationId: "revokeTerminalShare",
    summary: "Stop sharing a terminal",
    description: "The guest's view closes at once.",
    access: { team: "developer" },
    responses: { 204: { description: "Revoked." } },
  },
];
