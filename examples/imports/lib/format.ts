// A local module: pure helpers, exported by name.
export type Money = { cents: number; currency: string };

export function formatMoney(value: Money): string {
  const units = Math.floor(value.cents / 100);
  const cents = String(value.cents % 100).padStart(2, "0");
  return `${units}.${cents} ${value.currency}`;
}

export const DEFAULT_CURRENCY = "EUR";
