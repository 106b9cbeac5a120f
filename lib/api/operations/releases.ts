import { pageOf, PageQuery } from "@/lib/api/pagination";
import { DevboxSchema } from "@/lib/devboxes/schemas";
import { createReleaseBody, forkReleaseBody, ReleaseSchema } from "@/lib/releases/schemas";
import type { Operation } from "../operation";

export const ReleasePage = pageOf(ReleaseSchema, "ReleasePage");

export const releaseOperations: Operation[] = [
  {
    method: "GET",
    path: "/teams/{team}/devboxes/{name}/releases",
    tag: "Releases",
    operationId: "listReleases",
    summary: "List releases",
    description: "The devbox's releases, newest first, with who made them and which apps run them.",
    access: { team: "viewer" },
    query: PageQuery,
    responses: { 200: { description: "A page of releases.", schema: ReleasePage } },
  },
  {
    method: "POST",
    path: "/teams/{team}/devboxes/{name}/releases",
    tag: "Releases",
    operationId: "createRelease",
    summary: "Release a devbox",
    description:
      "Makes an image of the devbox's project: a running devbox is committed without stopping it, a stopped one is released from its latest snapshot. Answers at once with the pending release; GET it for `phase` and the end state (ready or failed).",
    access: { team: "developer" },
    tokenScope: "releases:write",
    body: createReleaseBody,
    responses: { 202: { description: "Accepted: the release is being made.", schema: ReleaseSchema } },
    errors: ["conflict"],
  },
  {
    method: "GET",
    path: "/teams/{team}/devboxes/{name}/releases/{tag}",
    tag: "Releases",
    operationId: "getRelease",
    summary: "Get a release",
    access: { team: "viewer" },
    responses: { 200: { description: "The release.", schema: ReleaseSchema } },
  },
  {
    method: "DELETE",
    path: "/teams/{team}/devboxes/{name}/releases/{tag}",
    tag: "Releases",
    operationId: "deleteRelease",
    summary: "Delete a release",
    description: "Deletes the release and its image. Refused while it is being made or an app runs it.",
    access: { team: "developer" },
    tokenScope: "releases:write",
    responses: { 204: { description: "Deleted." } },
    errors: ["conflict"],
  },
  {
    method: "POST",
    path: "/teams/{team}/devboxes/{name}/releases/{tag}/forks",
    tag: "Releases",
    operationId: "forkRelease",
    summary: "Fork a new devbox from a release",
    description: "A new devbox in the same team starting from the release's image. The release must be ready.",
    access: { team: "developer" },
    body: forkReleaseBody,
    responses: { 201: { description: "The new devbox.", schema: DevboxSchema } },
    errors: ["conflict", "quota_exceeded", "unavailable"],
  },
];
