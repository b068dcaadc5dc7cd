// Text helpers for search and display.
const STOP_WORDS = comptime(["a", "an", "and", "the", "of", "for", "with"]);

export function normalize(text: string): string {
  return text.trim().toLowerCase().replaceAll("  ", " ");
}

export function words(text: string): string[] {
  return normalize(text)
    .split(" ")
    .map((w) => w.trim())
    .filter((w) => w.length > 0 && !STOP_WORDS.includes(w));
}

export function truncate(text: string, limit: number): string {
  if (text.length <= limit) {
    return text;
  }
  const cut = text.slice(0, Math.max(0, limit - 1));
  const lastSpace = cut.lastIndexOf(" ");
  return `${lastSpace > limit / 2 ? cut.slice(0, lastSpace) : cut}…`;
}

export function slug(text: string): string {
  let out = "";
  for (const ch of normalize(text).split("")) {
    const keep = (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9");
    if (keep) {
      out = out + ch;
    } else if (out.length > 0 && !out.endsWith("-")) {
      out = out + "-";
    }
  }
  return out.endsWith("-") ? out.slice(0, -1) : out;
}

export function score(haystack: string, query: string): number {
  const terms = words(query);
  if (terms.length === 0) {
    return 0;
  }
  const text = normalize(haystack);
  let total = 0;
  for (const term of terms) {
    if (text.startsWith(term)) {
      total = total + 3;
    } else if (text.includes(` ${term}`)) {
      total = total + 2;
    } else if (text.includes(term)) {
      total = total + 1;
    }
  }
  return total / terms.length;
}

export function pluralize(count: number, singular: string, plural?: string): string {
  const word = count === 1 ? singular : (plural ?? `${singular}s`);
  return `${count} ${word}`;
}

export function initials(name: string): string {
  return words(name)
    .slice(0, 2)
    .map((w) => w.charAt(0).toUpperCase())
    .join("");
}
