/** The pages the preview proxy answers with itself (never the app's): plain HTML, no script. */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function page(title: string, body: string, action?: { href: string; label: string; post?: boolean }): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${esc(title)}</title><style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:12vh auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}a.button{display:inline-block;margin-top:1rem;padding:.5rem 1rem;background:#2563eb;color:#fff;border-radius:.375rem;text-decoration:none}</style></head>
<body><h1 data-testid="preview-page-title">${esc(title)}</h1><p data-testid="preview-page-body">${esc(body)}</p>${
    !action
      ? ""
      : action.post
        ? `<form method="post" action="${esc(action.href)}"><button class="button" style="border:0;cursor:pointer;font:inherit;margin-top:1rem;padding:.5rem 1rem;background:#2563eb;color:#fff;border-radius:.375rem" data-testid="preview-page-action">${esc(action.label)}</button></form>`
        : `<a class="button" data-testid="preview-page-action" href="${esc(action.href)}">${esc(action.label)}</a>`
  }<p style="color:#777;font-size:.8rem">Devbox preview</p></body></html>`;
}

export const PAGES = {
  not_found: { status: 404, title: "Not found", body: "There is no such devbox port, or it is not yours to see." },
  forbidden: { status: 403, title: "Not shared with you", body: "This port is private to the devbox's creator." },
  link_expired: { status: 403, title: "This link has expired", body: "Ask the person who shared it for a new link." },
  link_revoked: { status: 403, title: "This link was revoked", body: "The person who shared it has withdrawn it. Ask them for a new one." },
  link_creator_gone: { status: 403, title: "This link no longer works", body: "The person who shared it can no longer share this devbox. Ask a member of its team for a new link." },
  bad_code: { status: 400, title: "Sign-in link expired", body: "That sign-in hand-off was already used or is too old. Open the preview URL again." },
  unreachable: { status: 502, title: "Nothing answers on this port", body: "The devbox is running, but no program is listening on this port (yet)." },
} as const;
