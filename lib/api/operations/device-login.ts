import { DeviceLoginPending, DeviceLoginStarted, DeviceLoginToken, RedeemDeviceLoginBody, StartDeviceLoginBody } from "@/lib/device-login/schemas";
import type { Operation } from "../operation";

export const deviceLoginOperations: Operation[] = [
  {
    method: "POST",
    path: "/device-authorizations",
    tag: "Login",
    operationId: "startDeviceLogin",
    summary: "Start a device login (devbox login)",
    description: "For a client without a browser session: it gets a device code to poll with and a page where a signed-in user approves the user code. Nothing is granted until then.",
    access: "public",
    body: StartDeviceLoginBody,
    bodyOptional: true,
    responses: { 201: { description: "The codes and the approval page.", schema: DeviceLoginStarted } },
    errors: ["rate_limited"],
  },
  {
    method: "POST",
    path: "/device-authorizations/token",
    tag: "Login",
    operationId: "redeemDeviceLogin",
    summary: "Poll for the token of an approved device login",
    description: "202 until approved; then an API token (devboxes:read, devboxes:write, devboxes:ssh; 30 days), once. Refused: 403; expired or used: 404.",
    access: "public",
    body: RedeemDeviceLoginBody,
    responses: {
      200: { description: "Approved: the token.", schema: DeviceLoginToken },
      202: { description: "Waiting for approval.", schema: DeviceLoginPending },
    },
    errors: ["forbidden", "not_found"],
  },
];
