import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Devbox", template: "%s · Devbox" },
  description: "Cloud development environments on your own Kubernetes.",
  // Absolute Open Graph URLs: the configured public origin (README "Configuration").
  metadataBase: new URL(process.env.NEXTAUTH_URL ?? `http://localhost:${process.env.PORT ?? 3000}`),
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "16x16 32x32 48x48" },
      { url: "/icon.svg", type: "image/svg+xml" },
      { url: "/icon-192.png", type: "image/png", sizes: "192x192" },
    ],
    apple: { url: "/apple-touch-icon.png", sizes: "180x180" },
  },
  openGraph: {
    type: "website",
    siteName: "Devbox",
    title: "Devbox",
    description: "Cloud development environments on your own Kubernetes.",
    images: [{ url: "/og.png", width: 1200, height: 630, alt: "Devbox" }],
  },
};

// Applied before paint so a dark-mode user never sees a white flash.
const themeScript = `try{var t=localStorage.getItem("theme");if(t==="dark"||(!t&&matchMedia("(prefers-color-scheme: dark)").matches))document.documentElement.classList.add("dark")}catch(e){}`;

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
