import type { MetadataRoute } from "next";
import { LOGO_TILE } from "@/components/shell/logo-mark";

/** Served as /manifest.webmanifest and linked from every page by Next's metadata API. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "Devbox",
    short_name: "Devbox",
    description: "Cloud development environments on your own Kubernetes.",
    start_url: "/",
    display: "standalone",
    background_color: "#18181b",
    theme_color: LOGO_TILE,
    icons: [
      { src: "/icon.svg", type: "image/svg+xml", sizes: "any" },
      { src: "/icon-192.png", type: "image/png", sizes: "192x192" },
      { src: "/icon-512.png", type: "image/png", sizes: "512x512" },
    ],
  };
}
