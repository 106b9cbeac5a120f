import { servedOpenApiDocument } from "@/lib/api/document";
import { route } from "@/lib/http/route";

/** The OpenAPI 3.1 document (lib/api/). Public: it describes the API and grants nothing. */
export const GET = route(async () => Response.json(servedOpenApiDocument(), { headers: { "Cache-Control": "no-cache" } }));
