import type { PortSpec } from "@/db/schema/templates";

export const registryHost = () => process.env.DEVBOX_REGISTRY ?? "127.0.0.1:5000";

interface BuiltinTemplate {
  name: string;
  displayName: string;
  description: string;
  icon: string;
  image: string;
  ports: PortSpec[];
}

// The runtimes the bundled cluster builds (cluster/images). Operators add more in Admin.
export function builtinTemplates(): BuiltinTemplate[] {
  const r = registryHost();
  return [
    { name: "debian", displayName: "Debian", description: "Debian 12 with git, curl, sudo and SSH.", icon: "🌀", image: `${r}/devbox/base:bookworm`, ports: [] },
    { name: "node", displayName: "Node.js", description: "Debian 12 with Node.js and npm.", icon: "🟩", image: `${r}/devbox/node:bookworm`, ports: [{ port: 3000, name: "http" }] },
    { name: "python", displayName: "Python", description: "Debian 12 with Python 3, pip and venv.", icon: "🐍", image: `${r}/devbox/python:bookworm`, ports: [{ port: 8000, name: "http" }] },
    { name: "go", displayName: "Go", description: "Debian 12 with the Go toolchain.", icon: "🐹", image: `${r}/devbox/go:bookworm`, ports: [{ port: 8080, name: "http" }] },
  ];
}
