// Integer-cent money arithmetic; never floats for amounts.
import type { Currency, Money } from "./types.ts";

const SYMBOLS: Record<Currency, string> = { EUR: "€", USD: "$", GBP: "£" };

// Fixed demo rates, in basis points relative to EUR.
const RATES_BP: Record<Currency, number> = { EUR: 10000, USD: 10850, GBP: 8570 };

export const ZERO_EUR: Money = { cents: 0, currency: "EUR" };

export function money(cents: number, currency: Currency): Money {
  return { cents: Math.round(cents), currency };
}

export function add(a: Money, b: Money): Money {
  const other = a.currency === b.currency ? b : convert(b, a.currency);
  return money(a.cents + other.cents, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  const other = a.currency === b.currency ? b : convert(b, a.currency);
  return money(a.cents - other.cents, a.currency);
}

export function multiply(a: Money, factor: number): Money {
  return money(a.cents * factor, a.currency);
}

export function percentOf(a: Money, percent: number): Money {
  return money((a.cents * percent) / 100, a.currency);
}

export function convert(value: Money, target: Currency): Money {
  if (value.currency === target) {
    return value;
  }
  const inEur = (value.cents * RATES_BP.EUR) / RATES_BP[value.currency];
  return money((inEur * RATES_BP[target]) / RATES_BP.EUR, target);
}

export function sum(values: Money[], currency: Currency): Money {
  return values.reduce((total, v) => add(total, v), money(0, currency));
}

export function compare(a: Money, b: Money): number {
  const other = convert(b, a.currency);
  return a.cents - other.cents;
}

export function isZero(value: Money): boolean {
  return value.cents === 0;
}

export function format(value: Money): string {
  const negative = value.cents < 0;
  const absolute = Math.abs(value.cents);
  const units = Math.floor(absolute / 100);
  const cents = String(absolute % 100).padStart(2, "0");
  const grouped = groupThousands(String(units));
  const sign = negative ? "-" : "";
  return `${sign}${SYMBOLS[value.currency]}${grouped}.${cents}`;
}

function groupThousands(digits: string): string {
  let out = "";
  let count = 0;
  for (const ch of digits.split("").toReversed()) {
    if (count > 0 && count % 3 === 0) {
      out = "," + out;
    }
    out = ch + out;
    count += 1;
  }
  return out;
}

export function parseAmount(text: string, currency: Currency): Money | undefined {
  const cleaned = text.trim().replaceAll(",", "");
  if (cleaned.length === 0) {
    return undefined;
  }
  const [whole, fraction] = cleaned.split(".");
  const units = parseInt(whole, 10);
  if (Number.isNaN(units)) {
    return undefined;
  }
  const centsText = (fraction ?? "0").padEnd(2, "0").slice(0, 2);
  const cents = parseInt(centsText, 10);
  return money(units * 100 + (Number.isNaN(cents) ? 0 : cents), currency);
}
