import type { Metadata } from "next";
import { ApiReference } from "@/components/api/api-reference";
import { servedOpenApiDocument } from "@/lib/api/document";

export const metadata: Metadata = { title: "API reference" };

/** The REST API's reference, rendered from the same OpenAPI document /api/v1/openapi.json serves. */
export default function ApiReferencePage() {
  return <ApiReference doc={servedOpenApiDocument()} />;
}
