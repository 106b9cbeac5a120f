// The dashboard's own host names, as server/host-guard.ts and lib/http/trusted-origins.ts read
// them: server actions posted from these origins are accepted even when a proxy rewrote Host.
const trustedHosts = [process.env.NEXTAUTH_URL, ...(process.env.DEVBOX_TRUSTED_ORIGINS ?? "").split(",")]
  .map((s) => {
    try {
      return new URL((s ?? "").trim()).host;
    } catch {
      return "";
    }
  })
  .filter(Boolean);

/** @type {import('next').NextConfig} */
const nextConfig = {
  // These packages load native bindings or WASM at runtime; bundling them breaks that.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "@kubernetes/client-node", "postgres", "ws"],
  poweredByHeader: false,
  experimental: { serverActions: { allowedOrigins: trustedHosts } },
};

export default nextConfig;
