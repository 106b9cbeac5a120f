import { TemplateList } from "@/lib/templates/schemas";
import type { Operation } from "../operation";

export const templateOperations: Operation[] = [
  {
    method: "GET",
    path: "/templates",
    tag: "Templates",
    operationId: "listTemplates",
    summary: "List runtime templates",
    description: "The runtime templates a devbox can be created from (any signed-in user may read them).",
    access: "user",
    responses: { 200: { description: "All templates.", schema: TemplateList } },
  },
];
