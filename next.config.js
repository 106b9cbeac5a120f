/** @type {import('next').NextConfig} */
const nextConfig = {
  // These packages load native bindings or WASM at runtime; bundling them breaks that.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "@kubernetes/client-node", "postgres", "ws"],
  poweredByHeader: false,
};

export default nextConfig;
