import { z } from "zod";
import { teamRole } from "@/db/schema/memberships";

const TEAM_ROLES = teamRole.enumValues;

/** The REST API's team bodies and answers (validation and the OpenAPI document, lib/api/). */

export const CreateTeamBody = z
  .object({
    slug: z.string({ error: "Body must be JSON with a string 'slug'." }).meta({ description: "Lower-case letters, digits and '-'; it names the team's namespace." }),
    displayName: z.string({ error: "'displayName' must be a string." }).optional(),
  })
  .meta({ id: "CreateTeam" });

const role = z.enum(TEAM_ROLES, { error: "Unknown role." });

export const AddMemberBody = z
  .object({
    email: z.string({ error: "'email' is required." }).meta({ description: "An existing account's email." }),
    role: role.optional().meta({ description: "Default developer." }),
  })
  .meta({ id: "AddMember" });

export const TeamSchema = z
  .object({
    slug: z.string(),
    displayName: z.string(),
    namespace: z.string(),
    personal: z.boolean(),
    role: z.enum(TEAM_ROLES).meta({ description: "Your role in the team." }),
    createdAt: z.string().meta({ format: "date-time" }),
  })
  .meta({ id: "Team" });

export const MemberSchema = z
  .object({
    userId: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(TEAM_ROLES),
    since: z.string().meta({ format: "date-time" }),
  })
  .meta({ id: "Member" });

export const TeamList = z.object({ items: z.array(TeamSchema) }).meta({ id: "TeamList" });
