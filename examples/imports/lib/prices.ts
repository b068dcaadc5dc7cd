import { DEFAULT_CURRENCY, formatMoney } from "./format.ts";
import type { Money } from "./format.ts";

const PRICES: Record<string, number> = { tea: 300, cake: 550 };

export function priceOf(product: string): Money | undefined {
  const cents = PRICES[product];
  if (cents === undefined) {
    return undefined;
  }
  return { cents, currency: DEFAULT_CURRENCY };
}

export function describe(product: string): string {
  const price = priceOf(product);
  return price === undefined ? `${product}: unknown` : `${product}: ${formatMoney(price)}`;
}
