// Money, dates and typed numbers as people read and write them here (es-AR), exactly as the
// server's money and date_short filters show them: "$ 12.345,67", "23/11/2026".

import { fromCents, toCents } from "../pricing.js";
import { plural, word } from "./dom.js";

const SYMBOLS = { ARS: "$", USD: "US$" };
const NBSP = "\u00a0";
const PLAIN = /^-?(\d+)(?:\.(\d*))?$/;

/** A decimal string (or cents) as money: "$ 12.345,67"; negative "-$ 12.345,67". */
export function money(amount, currency = "ARS") {
  if (amount === null || amount === undefined || amount === "") return "—";
  const cents = typeof amount === "bigint" ? amount : toCents(amount);
  const magnitude = cents < 0n ? -cents : cents;
  const units = String(magnitude / 100n).replace(/\B(?=(\d{3})+$)/g, ".");
  const decimals = String(magnitude % 100n).padStart(2, "0");
  const symbol = SYMBOLS[currency] ?? currency;
  return `${cents < 0n ? "-" : ""}${symbol}${NBSP}${units},${decimals}`;
}

/** A "YYYY-MM-DD" day as dd/mm/yyyy. */
export function day(iso) {
  if (!iso) return "—";
  const [year, month, date] = String(iso).slice(0, 10).split("-");
  return `${date}/${month}/${year}`;
}

/** A moment (ISO with zone) in the phone's time: "23/11/2026 14:05". */
export function moment(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "—";
  const pad = (n) => String(n).padStart(2, "0");
  const date = `${pad(when.getDate())}/${pad(when.getMonth() + 1)}/${when.getFullYear()}`;
  return `${date} ${pad(when.getHours())}:${pad(when.getMinutes())}`;
}

/** How long ago a moment was, in words: "recién", "hace 12 min", "hace 3 h", "hace 2 días". */
export function ago(iso, now = new Date()) {
  const minutes = Math.max(0, Math.floor((now - new Date(iso)) / 60_000));
  if (minutes < 1) return word("ago-now");
  if (minutes < 60) return word("ago-min", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return word("ago-hours", { n: hours });
  return plural("ago-days", Math.floor(hours / 24));
}

/** The phone's today as "YYYY-MM-DD" (the company and the phone share the time zone). */
export function today(now = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Whole days from one "YYYY-MM-DD" to another. */
export function daysBetween(from, to) {
  const utc = (iso) => {
    const [year, month, date] = iso.split("-").map(Number);
    return Date.UTC(year, month - 1, date);
  };
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}

/** "YYYY-MM-DD" plus some days. */
export function addDays(iso, days) {
  const [year, month, date] = iso.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

const TYPED = /^(-?) *(\$?) *(-?)([0-9.,]+) *(\$?)$/;
const DIGITS = /^[0-9]+$/;

/** True when the separator groups the digits in threes: "1.234.567", not "12.34". */
function grouped(units, separator) {
  const mark = separator === "." ? "\\." : ",";
  return new RegExp(`^[1-9][0-9]{0,2}(?:${mark}[0-9]{3})+$`).test(units);
}

/** Digits, dots and commas as a plain decimal ("1.234,50" -> "1234.50"); null if garbage. */
function plain(body) {
  if (DIGITS.test(body)) return body;
  const last = Math.max(body.lastIndexOf("."), body.lastIndexOf(","));
  const mark = body[last];
  let units = body.slice(0, last);
  const fraction = body.slice(last + 1);
  const other = mark === "." ? "," : ".";
  if (mark === "." && !body.includes(",") && grouped(body, ".")) return body.replace(/\./g, "");
  if (!DIGITS.test(fraction)) return null;
  if (units.includes(other)) {
    if (!grouped(units, other)) return null;
    units = units.split(other).join("");
  }
  return DIGITS.test(units) ? `${units}.${fraction}` : null;
}

/**
 * A number as an Argentine types it, as a plain decimal string with the scale typed, or null
 * when it is not one: parse_decimal in app/core/numbers.py, whose docstring has the rule,
 * and tests/core/number_cases.json the cases both pass. "1.234,50" -> "1234.50", "50.000" ->
 * "50000", "1.500" -> "1500", "12.5" -> "12.5", "1,234.50" -> "1234.50"; a leading minus
 * only with negative.
 */
export function decimalText(typed, negative = false) {
  if (typeof typed !== "string") return null;
  const text = typed.split(/\s+/).filter(Boolean).join(" ");
  const match = text.length <= 64 ? TYPED.exec(text) : null;
  if (!match) return null;
  const [, minus, lead, after, body, trail] = match;
  if ((minus && after) || (lead && trail)) return null;
  const number = plain(body);
  if (number === null || ((minus || after) && !negative)) return null;
  return `${minus || after}${number.replace(/^0+(?=[0-9])/, "")}`;
}

/** A typed amount as the API's "1234.50"; null unless above zero, with two decimals at most. */
export function amountValue(typed, most = "999999999999.99") {
  const text = decimalText(String(typed ?? ""));
  if (text === null) return null;
  const decimals = PLAIN.exec(text)[2] ?? "";
  if (decimals.length > 2) return null;
  const cents = toCents(text);
  if (cents <= 0n || cents > toCents(most)) return null;
  return fromCents(cents);
}

/** A decimal without trailing zeros, with a decimal comma: "10.50" -> "10,5", "12" -> "12". */
export function number(text) {
  const plain = String(text);
  const trimmed = plain.includes(".") ? plain.replace(/0+$/, "").replace(/\.$/, "") : plain;
  return trimmed.replace(".", ",");
}

/** A typed quantity ("2", "2,5", "1.234,5") as a decimal string, or null when it is not one. */
export function quantityText(typed) {
  return decimalText(String(typed ?? ""));
}
