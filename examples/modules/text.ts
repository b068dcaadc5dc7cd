// zigttp:text: escaping, slugs, truncation, masking.
import { escapeHtml, slugify, truncate, mask } from "zigttp:text";

export function handler(req: Request): Response {
  const title = String(req.query.title ?? "");
  const card = String(req.query.card ?? "");
  return Response.json({
    html: `<h1>${escapeHtml(title)}</h1>`,
    slug: slugify(title),
    teaser: truncate(title, 12),
    card: mask(card, 4),
  });
}
