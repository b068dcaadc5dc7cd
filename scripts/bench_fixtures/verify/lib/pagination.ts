// Query parsing, sorting and paging for list endpoints.
import type { ListQuery, Paged, SortDirection } from "./types.ts";

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = comptime(2 ** 7);

function toInt(value: unknown, fallback: number): number {
  if (typeof value === "number" && Number.isInteger(value)) {
    return value;
  }
  if (typeof value === "string") {
    const parsed = parseInt(value, 10);
    return Number.isNaN(parsed) ? fallback : parsed;
  }
  return fallback;
}

export function listQuery(req: Request, sortable: string[], defaultSort: string): ListQuery {
  const rawSort = String(req.query.sort ?? defaultSort);
  const descending = rawSort.startsWith("-");
  const field = descending ? rawSort.slice(1) : rawSort;
  const sort = sortable.includes(field) ? field : defaultSort;
  const direction: SortDirection = descending ? "desc" : "asc";
  return {
    page: Math.max(1, toInt(req.query.page, 1)),
    pageSize: Math.min(MAX_PAGE_SIZE, Math.max(1, toInt(req.query.size, DEFAULT_PAGE_SIZE))),
    sort,
    direction,
    search: String(req.query.q ?? "").trim(),
  };
}

export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") {
    return a - b;
  }
  const left = String(a ?? "");
  const right = String(b ?? "");
  return left < right ? -1 : left > right ? 1 : 0;
}

export function sortBy<T>(items: T[], key: (item: T) => unknown, direction: SortDirection): T[] {
  const factor = direction === "asc" ? 1 : -1;
  return items.toSorted((a, b) => factor * compareValues(key(a), key(b)));
}

export function page<T>(items: T[], query: ListQuery): Paged<T> {
  const pages = Math.max(1, Math.ceil(items.length / query.pageSize));
  const current = Math.min(query.page, pages);
  const start = (current - 1) * query.pageSize;
  return {
    items: items.slice(start, start + query.pageSize),
    page: current,
    pageSize: query.pageSize,
    total: items.length,
    pages,
  };
}

export function windowAround(current: number, pages: number, width: number): number[] {
  const half = Math.floor(width / 2);
  const first = Math.max(1, Math.min(current - half, pages - width + 1));
  const last = Math.min(pages, first + width - 1);
  const numbers: number[] = [];
  for (const n of range(first, last + 1)) {
    numbers.push(n);
  }
  return numbers;
}
