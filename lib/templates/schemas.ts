import { z } from "zod";
import type { Template } from "@/db/schema/templates";

/** The REST API's template answers (the OpenAPI document, lib/api/). */
export const TemplateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    displayName: z.string(),
    description: z.string(),
    image: z.string(),
    ports: z.array(z.object({ port: z.number(), name: z.string() })),
    idleTimeoutMinutes: z.number().int().meta({ description: "Idle auto-stop timeout of devboxes from this template (0 = never)." }),
  })
  .meta({ id: "Template", description: "A runtime a devbox can be created from." });

export const TemplateList = z.object({ items: z.array(TemplateSchema) }).meta({ id: "TemplateList" });

export const templateView = (t: Template): z.infer<typeof TemplateSchema> => ({
  id: t.id,
  name: t.name,
  displayName: t.displayName,
  description: t.description,
  image: t.image,
  ports: t.ports,
  idleTimeoutMinutes: t.idleTimeoutMinutes,
});
