import { addSshKeyBody, sshHostList, sshKeyList, sshKeyView } from "@/lib/ssh/schemas";
import type { Operation } from "../operation";

export const sshOperations: Operation[] = [
  {
    method: "GET",
    path: "/ssh-keys",
    tag: "SSH",
    operationId: "listSshKeys",
    summary: "List your SSH public keys",
    description: "Authorized in every devbox you may open (token: devboxes:ssh).",
    access: "user",
    responses: { 200: { description: "Your keys.", schema: sshKeyList } },
  },
  {
    method: "POST",
    path: "/ssh-keys",
    tag: "SSH",
    operationId: "addSshKey",
    summary: "Add an SSH public key",
    access: "user",
    body: addSshKeyBody,
    responses: { 201: { description: "The key.", schema: sshKeyView } },
    errors: ["conflict"],
  },
  {
    method: "DELETE",
    path: "/ssh-keys/{id}",
    tag: "SSH",
    operationId: "deleteSshKey",
    summary: "Delete an SSH public key",
    access: "user",
    responses: { 204: { description: "Deleted." } },
    errors: ["not_found"],
  },
  {
    method: "GET",
    path: "/ssh/hosts",
    tag: "SSH",
    operationId: "listSshHosts",
    summary: "Devboxes you may SSH into, with host keys",
    description: "What `devbox config-ssh` writes: one Host block per devbox and its known_hosts line.",
    access: "user",
    responses: { 200: { description: "Your SSH hosts.", schema: sshHostList } },
  },
];
