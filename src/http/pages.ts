/** The few HTML pages customers see: small, self-contained, no scripts, no external resources. */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** No caching, no referrer (the URL holds the token), no indexing, nothing but inline style and a form to ourselves. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

/** A page with a heading, a paragraph and optionally a form posting back to the same URL. */
export function page(title: string, message: string, button?: { label: string; field: string; value: string }): string {
  const form = button
    ? `<form method="post" action=""><input type="hidden" name="${escapeHtml(button.field)}" value="${escapeHtml(button.value)}">` +
      `<button type="submit">${escapeHtml(button.label)}</button></form>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2933}
button{font-size:1rem;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#1f2933;color:#fff;cursor:pointer}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${form}</body></html>
`;
}
