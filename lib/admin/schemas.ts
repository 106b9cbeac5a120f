import { MAX_IDLE_MINUTES } from "@/lib/idle/clock";
import { z } from "zod";
import { PortSpec } from "@/lib/devboxes/schemas";

/** The REST API's instance-administration bodies and answers (validation and the OpenAPI document). */
export const InstanceSettingsSchema = z
  .object({ signupOpen: z.boolean(), maxTeamsPerUser: z.number().meta({ minimum: 0, maximum: 1000 }) })
  .meta({ id: "InstanceSettings" });

export const UpdateSettingsBody = z
  .strictObject({
    signupOpen: z.boolean({ error: "'signupOpen' must be true or false." }).optional(),
    // The range here too (changeTeamLimit checks it for the admin page's form): refused before anything is saved, naming this field.
    maxTeamsPerUser: z
      .number({ error: "'maxTeamsPerUser' must be a number." })
      .int({ error: "'maxTeamsPerUser' must be a whole number from 0 to 1000." })
      .min(0, { error: "'maxTeamsPerUser' must be a whole number from 0 to 1000." })
      .max(1000, { error: "'maxTeamsPerUser' must be a whole number from 0 to 1000." })
      .optional()
      .meta({ description: "Teams a user may own besides the personal one (0–1000)." }),
  })
  .meta({ id: "UpdateSettings" });

export const AddTemplateBody = z
  .object({
    name: z.string({ error: "'name' is required." }).meta({ description: "A DNS label." }),
    displayName: z.string({ error: "'displayName' must be a string." }).optional(),
    description: z.string({ error: "'description' must be a string." }).optional(),
    image: z.string({ error: "'image' is required." }).meta({ description: "A full image reference, e.g. 127.0.0.1:5000/devbox/rust:bookworm." }),
    ports: z.array(PortSpec, { error: "'ports' has the wrong shape." }).optional(),
    idleTimeoutMinutes: z.number().int().min(0).max(MAX_IDLE_MINUTES).optional().meta({ description: "Idle auto-stop after this many minutes without activity (default 60; 0 = never)." }),
  })
  .meta({ id: "AddTemplate" });
