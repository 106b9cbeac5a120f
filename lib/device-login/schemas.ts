import { z } from "zod";

/** The REST API's device-login bodies and answers (validation and the OpenAPI document, lib/api/). */
export const StartDeviceLoginBody = z
  .object({ clientName: z.string({ error: "'clientName' must be a string." }).max(100, { error: "'clientName' is at most 100 characters." }).optional() })
  .meta({ id: "StartDeviceLogin", description: "Names the client on the approval page (e.g. \"devbox CLI on my-laptop\")." });

export const DeviceLoginStarted = z
  .object({
    deviceCode: z.string().meta({ description: "Secret: only the client keeps it, to redeem the approval." }),
    userCode: z.string().meta({ description: "What the user compares on the approval page." }),
    verificationUri: z.string().meta({ description: "The approval page, with the user code filled in." }),
    expiresIn: z.number().meta({ description: "Seconds until the request expires." }),
    interval: z.number().meta({ description: "Seconds between polls." }),
  })
  .meta({ id: "DeviceLoginStarted" });

export const RedeemDeviceLoginBody = z.object({ deviceCode: z.string({ error: "'deviceCode' is required." }).max(200) }).meta({ id: "RedeemDeviceLogin" });

export const DeviceLoginPending = z.object({ status: z.literal("pending") }).meta({ id: "DeviceLoginPending", description: "Not approved yet: poll again after `interval`." });
export const DeviceLoginToken = z
  .object({ token: z.string().meta({ description: "An API token (devboxes:read, devboxes:write, devboxes:ssh; 30 days)." }), email: z.string() })
  .meta({ id: "DeviceLoginToken" });
