// The credit decision at order time, for the browser when offline: a port of
// app/credit/rules.py (decide, money_text, band_covers) that must give the same answers,
// messages included. Both run the shared vectors in tests/credit/vectors.json, which hold
// them together. Money is exact integer cents (BigInt), never a float; dates are UTC days.

/** Payment methods that leave debt on the current account; the rest are immediate payment. */
export const CREDIT_METHODS = Object.freeze(["current_account", "mixed"]);
export const PAYMENT_METHODS = Object.freeze([
  "cash",
  "transfer",
  "check",
  "card",
  "current_account",
  "mixed",
]);

/** States that cannot be sold to at all, and states that may buy only with immediate payment. */
export const NO_SALE = Object.freeze({
  disabled: "Cliente inhabilitado: no se le puede vender.",
});
export const NO_CREDIT = Object.freeze({
  delinquent: "Cliente moroso: solo puede comprar con pago inmediato.",
  suspended: "Cliente suspendido: solo puede comprar con pago inmediato.",
  potential: "Cliente potencial: no tiene cuenta corriente, solo pago inmediato.",
  cash_only: "Cliente de contado: no tiene cuenta corriente, solo pago inmediato.",
});
export const DELETED = "Cliente en la papelera: no se le puede vender.";
export const CREDIT_BLOCKED = "Crédito bloqueado: solo puede comprar con pago inmediato.";
export const STATES = Object.freeze([
  "active",
  ...Object.keys(NO_SALE),
  ...Object.keys(NO_CREDIT),
]);

/** Where a limit comes from, most specific first (resolve_limits in rules.py says why). */
export const SOURCES = Object.freeze([
  "own",
  "client",
  "family",
  "category",
  "segment",
  "zone",
  "type",
]);
const LIMIT_NAMES = ["money", "documents", "age_days"];

/**
 * The limits that apply, like resolve_limits in rules.py: the client's own ones ({money,
 * documents, age_days}, null: not set), then as a whole the first assigned policy
 * ({source, name, holder, limits}) by precedence. Returns {limits, policy, sources}.
 */
export function resolveLimits(own, assigned) {
  for (const item of assigned ?? []) {
    if (!SOURCES.slice(1).includes(item.source)) {
      throw new Error(`unknown policy source '${item.source}'`);
    }
  }
  const ranked = [...(assigned ?? [])].sort(
    (a, b) => SOURCES.indexOf(a.source) - SOURCES.indexOf(b.source),
  );
  const policy = ranked[0] ?? null;
  const base = policy?.limits ?? {};
  const limits = {};
  const sources = {};
  for (const name of LIMIT_NAMES) {
    const mine = own?.[name] ?? null;
    const theirs = base[name] ?? null;
    limits[name] = mine ?? theirs;
    if (mine !== null) sources[name] = "own";
    else if (theirs !== null) sources[name] = policy.source;
  }
  const chosen = policy && { source: policy.source, name: policy.name, holder: policy.holder ?? "" };
  return { limits, policy: chosen, sources };
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** A decimal string as an exact {digits, scale} pair: "12.345" -> {digits: 12345n, scale: 3}. */
function parseDecimal(text) {
  if (typeof text !== "string") throw new TypeError(`money must be a decimal string: ${text}`);
  const match = DECIMAL.exec(text.trim());
  if (!match || (!match[2] && !match[3])) throw new Error(`not a decimal amount: '${text}'`);
  const [, sign, units, fraction = ""] = match;
  const digits = BigInt(`${units || "0"}${fraction}`);
  return { digits: sign === "-" ? -digits : digits, scale: fraction.length };
}

/** A decimal string as integer cents, rounded half away from zero (Python's ROUND_HALF_UP). */
function roundedCents(text) {
  const { digits, scale } = parseDecimal(text);
  if (scale <= 2) return digits * 10n ** BigInt(2 - scale);
  const divisor = 10n ** BigInt(scale - 2);
  const magnitude = digits < 0n ? -digits : digits;
  let cents = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) cents += 1n;
  return digits < 0n ? -cents : cents;
}

/** A money string of a snapshot or an order as exact cents; more than two decimals is refused. */
function cents(text, what) {
  let scale;
  try {
    ({ scale } = parseDecimal(text));
  } catch (error) {
    throw new Error(`${what}: ${error.message}`);
  }
  if (scale > 2) throw new Error(`${what} has more than two decimals: '${text}'`);
  return roundedCents(text);
}

/** Cents in the vectors' form: 123450n -> "1234.50", -5n -> "-0.05". */
function centsString(value) {
  const magnitude = value < 0n ? -value : value;
  const fraction = String(magnitude % 100n).padStart(2, "0");
  return `${value < 0n ? "-" : ""}${magnitude / 100n}.${fraction}`;
}

/** Cents as the messages show them: "$ 12.300" or "$ 12.300,50" (cents only if any). */
function centsText(value) {
  const magnitude = value < 0n ? -value : value;
  const grouped = String(magnitude / 100n).replace(/\B(?=(\d{3})+$)/g, ".");
  const fraction = magnitude % 100n;
  const tail = fraction === 0n ? "" : `,${String(fraction).padStart(2, "0")}`;
  return `${value < 0n ? "-" : ""}$ ${grouped}${tail}`;
}

/** An amount (a decimal string) as the messages show it, like money_text in rules.py. */
export function moneyText(amount) {
  return centsText(roundedCents(amount));
}

/** A "YYYY-MM-DD" date as a day number counted in UTC, so no time zone or DST shifts it. */
function dayNumber(text) {
  const match = typeof text === "string" ? ISO_DATE.exec(text) : null;
  if (!match) throw new Error(`not an ISO date: '${text}'`);
  const [year, month, day] = match.slice(1).map(Number);
  const time = Date.UTC(year, month - 1, day);
  const check = new Date(time);
  const real =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day;
  if (!real) throw new Error(`not a calendar date: '${text}'`);
  return time / DAY_MS;
}

/** True when the object has this key of its own (not one of Object's, like "toString"). */
function has(object, key) {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** The snapshot with its defaults filled in (as the Snapshot dataclass has them). */
function normalised(snapshot) {
  const limits = snapshot.limits ?? {};
  return {
    state: snapshot.state ?? "active",
    creditBlocked: Boolean(snapshot.credit_blocked),
    deleted: Boolean(snapshot.deleted),
    moneyLimit: limits.money == null ? null : cents(limits.money, "limits.money"),
    documentsLimit: limits.documents ?? null,
    ageLimit: limits.age_days ?? null,
    balance: cents(snapshot.balance ?? "0.00", "balance"),
    pendingOrders: cents(snapshot.pending_orders ?? "0.00", "pending_orders"),
    unpaidDates: snapshot.unpaid_dates ?? [],
    pendingDocuments: snapshot.pending_documents ?? 0,
    family:
      snapshot.family == null
        ? null
        : {
            name: snapshot.family.name,
            money: cents(snapshot.family.money, "family.money"),
            others: cents(snapshot.family.others ?? "0.00", "family.others"),
          },
  };
}

/**
 * Whether an order of this amount (a decimal string) and payment method may go ahead for
 * the client of this snapshot on this day ("YYYY-MM-DD"), in the shared vectors' JSON form:
 * {allowed, credit, failures: [{kind, limit, current, after, excess, message}]}.
 * Money comes as decimal strings of at most two decimals (the snapshot's keys are the
 * vectors' snake_case ones); bad input throws an Error, as rules.py raises ValueError.
 */
export function decide(snapshot, amount, paymentMethod, on) {
  const orderCents = cents(amount, "amount");
  if (orderCents <= 0n) throw new Error("the order amount must be positive");
  if (!PAYMENT_METHODS.includes(paymentMethod)) {
    throw new Error(`unknown payment method '${paymentMethod}'`);
  }
  const client = normalised(snapshot);
  if (!STATES.includes(client.state)) throw new Error(`unknown client state '${client.state}'`);
  const today = dayNumber(on);
  const credit = CREDIT_METHODS.includes(paymentMethod);
  if (client.deleted) return blocked(credit, DELETED);
  if (has(NO_SALE, client.state)) return blocked(credit, NO_SALE[client.state]);
  if (!credit) return { allowed: true, credit: false, failures: [] };
  if (has(NO_CREDIT, client.state)) return blocked(credit, NO_CREDIT[client.state]);
  if (client.creditBlocked) return blocked(credit, CREDIT_BLOCKED);
  const failures = [
    moneyFailure(client, orderCents),
    familyFailure(client, orderCents),
    documentsFailure(client),
    ageFailure(client, today),
  ].filter((found) => found !== null);
  return { allowed: failures.length === 0, credit: true, failures };
}

/** One failure in the vectors' key order. */
function failure(kind, limit, current, after, excess, message) {
  return { kind, limit, current, after, excess, message };
}

/** A decision stopped by the client's state. */
function blocked(credit, message) {
  return { allowed: false, credit, failures: [failure("state", null, null, null, null, message)] };
}

/** Exposure after the order (balance + pending orders + this one) must not pass the limit. */
function moneyFailure(client, orderCents) {
  const limit = client.moneyLimit;
  if (limit === null) return null;
  const current = client.balance + client.pendingOrders;
  const after = current + orderCents;
  if (after <= limit) return null;
  const excess = after - limit;
  return failure(
    "money",
    centsString(limit),
    centsString(current),
    centsString(after),
    centsString(excess),
    `Supera el límite en ${centsText(excess)} (límite ${centsText(limit)})`,
  );
}

/** The family's exposure after the order must not pass the family's shared limit. */
function familyFailure(client, orderCents) {
  const family = client.family;
  if (family === null) return null;
  const current = family.others + client.balance + client.pendingOrders;
  const after = current + orderCents;
  if (after <= family.money) return null;
  const excess = after - family.money;
  return failure(
    "money",
    centsString(family.money),
    centsString(current),
    centsString(after),
    centsString(excess),
    `Supera el límite de la familia ${family.name} en ${centsText(excess)} ` +
      `(límite ${centsText(family.money)})`,
  );
}

/** The unpaid debit documents must be fewer than the limit before a new credit sale. */
function documentsFailure(client) {
  const limit = client.documentsLimit;
  if (limit === null) return null;
  const unpaid = client.unpaidDates.length;
  const pending = client.pendingDocuments;
  const current = unpaid + pending;
  if (current < limit) return null;
  const parts = [];
  if (unpaid || !pending) {
    parts.push(`${unpaid} ${unpaid === 1 ? "factura impaga" : "facturas impagas"}`);
  }
  if (pending) {
    parts.push(`${pending} ${pending === 1 ? "pedido sin facturar" : "pedidos sin facturar"}`);
  }
  const message =
    limit > 0
      ? `Tiene ${parts.join(" y ")}: con este pedido serían ${current + 1} (máximo ${limit})`
      : "No tiene crédito en cuenta corriente (máximo 0 facturas)";
  return failure("documents", limit, current, current + 1, current + 1 - limit, message);
}

/** No unpaid debit document may be older (days since its date) than the limit. */
function ageFailure(client, today) {
  const limit = client.ageLimit;
  if (limit === null || client.unpaidDates.length === 0) return null;
  const oldest = client.unpaidDates.map(dayNumber).reduce((a, b) => Math.min(a, b));
  const current = today - oldest;
  if (current <= limit) return null;
  return failure(
    "age",
    limit,
    current,
    current,
    current - limit,
    `Factura más antigua: ${current} ${current === 1 ? "día" : "días"} (máximo ${limit})`,
  );
}

/**
 * True when an approver with this band ({kinds, max_excess, max_excess_pct,
 * max_extra_documents, max_extra_days}; null means no ceiling) may authorise every failure
 * of a decision in the vectors' form, like band_covers in rules.py. A failure of the
 * client's state is never authorised.
 */
export function bandCovers(band, decision) {
  if (decision.allowed) return false;
  return decision.failures.every((item) => bandCoversFailure(band, item));
}

/** True when the band reaches this one failure. */
function bandCoversFailure(band, item) {
  if (!(band.kinds ?? []).includes(item.kind)) return false;
  if (item.kind === "money") {
    const excess = cents(item.excess, "excess");
    if (band.max_excess != null && excess > cents(band.max_excess, "max_excess")) return false;
    if (band.max_excess_pct == null) return true;
    // excess * 100 <= pct * limit, exactly: pct = digits / 10^scale.
    const limit = cents(item.limit, "limit");
    const pct = parseDecimal(band.max_excess_pct);
    return limit > 0n && excess * 100n * 10n ** BigInt(pct.scale) <= pct.digits * limit;
  }
  const ceiling = item.kind === "documents" ? band.max_extra_documents : band.max_extra_days;
  return ceiling == null || item.excess <= ceiling;
}
