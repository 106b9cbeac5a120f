import { AddTemplateBody, InstanceSettingsSchema, UpdateSettingsBody } from "@/lib/admin/schemas";
import { TemplateSchema } from "@/lib/templates/schemas";
import type { Operation } from "../operation";

export const adminOperations: Operation[] = [
  {
    method: "GET",
    path: "/settings",
    tag: "Administration",
    operationId: "getInstanceSettings",
    summary: "Instance settings",
    access: "instanceAdmin",
    responses: { 200: { description: "The settings.", schema: InstanceSettingsSchema } },
  },
  {
    method: "PATCH",
    path: "/settings",
    tag: "Administration",
    operationId: "updateInstanceSettings",
    summary: "Change instance settings",
    description: "Open or close sign-up; set how many teams a user may own.",
    access: "instanceAdmin",
    body: UpdateSettingsBody,
    responses: { 200: { description: "The settings now.", schema: InstanceSettingsSchema } },
  },
  {
    method: "POST",
    path: "/templates",
    tag: "Templates",
    operationId: "addTemplate",
    summary: "Add a runtime template",
    access: "instanceAdmin",
    body: AddTemplateBody,
    responses: { 201: { description: "The template.", schema: TemplateSchema } },
    errors: ["conflict"],
  },
];
