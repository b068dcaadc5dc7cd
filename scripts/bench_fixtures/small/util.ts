// Small helpers shared by the bookmarks handler.
export type Page<T> = { items: T[]; page: number; pageSize: number; total: number };

export function paginate<T>(items: T[], page: number, pageSize: number): Page<T> {
  const safeSize = Math.max(1, Math.min(pageSize, 50));
  const lastPage = Math.max(1, Math.ceil(items.length / safeSize));
  const current = Math.max(1, Math.min(page, lastPage));
  const start = (current - 1) * safeSize;
  return { items: items.slice(start, start + safeSize), page: current, pageSize: safeSize, total: items.length };
}

export function slugify(title: string): string {
  const lower = title.trim().toLowerCase();
  let out = "";
  for (const ch of lower.split("")) {
    const isAlnum = (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9");
    if (isAlnum) {
      out = out + ch;
    } else if (!out.endsWith("-")) {
      out = out + "-";
    }
  }
  return out.endsWith("-") ? out.slice(0, out.length - 1) : out;
}

export function queryNumber(value: string | number | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  const parsed = typeof value === "number" ? value : parseInt(value, 10);
  return Number.isNaN(parsed) ? fallback : parsed;
}
