// An order's amounts on the phone, from the synced copy, following app/orders/pricing.py step
// by step (unit price, line discounts in cascade with the client type's last, the sale
// condition's discount on the sum, IVA by rate) and app/taxes/perceptions.py for the IIBB
// perception. With an up-to-date copy it is the server's total; the server still decides.
// Money is exact: decimals are BigInt fractions, rounded half up to cents once per line
// (and once per IVA rate), as the Python does. Dates are "YYYY-MM-DD" strings.
import { CREDIT_METHODS } from "./credit.js";

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** A decimal string as an exact fraction {num, den}: "12.345" -> {num: 12345n, den: 1000n}. */
export function fraction(text) {
  const match = DECIMAL.exec(String(text ?? "").trim());
  if (!match || (!match[2] && !match[3])) throw new Error(`not a decimal: '${text}'`);
  const [, sign, units, decimals = ""] = match;
  const num = BigInt(`${units || "0"}${decimals}`);
  return { num: sign === "-" ? -num : num, den: 10n ** BigInt(decimals.length) };
}

/** num / den rounded to a whole number, halves away from zero (ROUND_HALF_UP). */
function roundHalfUp(num, den) {
  const magnitude = num < 0n ? -num : num;
  const rounded = (2n * magnitude + den) / (2n * den);
  return num < 0n ? -rounded : rounded;
}

/** A decimal string as integer cents, rounded half up: "12.345" -> 1235n. */
export function toCents(text) {
  const { num, den } = fraction(text);
  return roundHalfUp(num * 100n, den);
}

/** Integer cents as a decimal string, the API's form: 123450n -> "1234.50". */
export function fromCents(cents) {
  const magnitude = cents < 0n ? -cents : cents;
  const decimals = String(magnitude % 100n).padStart(2, "0");
  return `${cents < 0n ? "-" : ""}${magnitude / 100n}.${decimals}`;
}

/** -1, 0 or 1 as decimal a is below, equal to or above decimal b. */
function compare(a, b) {
  const x = fraction(a);
  const y = fraction(b);
  const left = x.num * y.den;
  const right = y.num * x.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** True on the days from..to, both included; a missing end is open. */
export function inForce(validFrom, validTo, on) {
  return (!validFrom || validFrom <= on) && (!validTo || on <= validTo);
}

/** An error for a product without a price in the client's list nor a price of the client's. */
export class NoPrice extends Error {
  constructor(productId) {
    super(`no price for product ${productId}`);
    this.code = "no_price";
    this.productId = productId;
  }
}

/**
 * One line's unit price, its discounts in the order applied and its net (pricing.py steps 1
 * and 2). line: {product_id, quantity, list_price (null: not in the list), tax_rate,
 * promotions, breaks, own}, the rows as the sync sends them; typePct: the client type's
 * discount. Returns {product_id, quantity, list_price, unit_price, special_price, discounts,
 * net, tax_rate}; a discount is {kind: "promotion"|"volume"|"client"|"client_type", pct,
 * name?, min_quantity?}.
 */
export function priceLine(line, on, typePct = "0") {
  if (compare(line.quantity, "0") <= 0) throw new Error("the quantity must be positive");
  const ownNow = (line.own ?? []).filter((o) => inForce(o.valid_from, o.valid_to, on));
  const special = ownNow.find((o) => o.special_price != null);
  if (!special && line.list_price == null) throw new NoPrice(line.product_id);
  const unit = special ? special.special_price : line.list_price;
  const discounts = [];
  const promos = (line.promotions ?? []).filter((p) => inForce(p.valid_from, p.valid_to, on));
  if (promos.length) {
    const best = promos.reduce((a, b) => {
      const order = compare(b.discount_pct, a.discount_pct);
      return order > 0 || (order === 0 && b.name > a.name) ? b : a;
    });
    discounts.push({ kind: "promotion", pct: best.discount_pct, name: best.name });
  }
  const reached = (line.breaks ?? []).filter((b) => compare(line.quantity, b.min_quantity) >= 0);
  if (reached.length) {
    const top = reached.reduce((a, b) => (compare(b.min_quantity, a.min_quantity) > 0 ? b : a));
    discounts.push({ kind: "volume", pct: top.discount_pct, min_quantity: top.min_quantity });
  }
  if (!special) {
    // The client's own discount: the one for this product, else the one for every product.
    const mine = ownNow.filter((o) => o.discount_pct != null);
    const own = mine.find((o) => o.product_id != null) ?? mine[0];
    if (own) discounts.push({ kind: "client", pct: own.discount_pct });
  }
  if (compare(typePct ?? "0", "0") !== 0) discounts.push({ kind: "client_type", pct: typePct });
  // net = quantity x unit x (1 - a/100) x (1 - b/100) x ..., exactly, rounded once to cents.
  const quantity = fraction(line.quantity);
  const price = fraction(unit);
  let num = quantity.num * price.num;
  let den = quantity.den * price.den;
  for (const discount of discounts) {
    const pct = fraction(discount.pct);
    num *= 100n * pct.den - pct.num;
    den *= 100n * pct.den;
  }
  return {
    product_id: line.product_id,
    quantity: line.quantity,
    list_price: line.list_price ?? unit,
    unit_price: unit,
    special_price: Boolean(special),
    discounts,
    net: fromCents(roundHalfUp(num * 100n, den)),
    tax_rate: line.tax_rate,
  };
}

/**
 * The order's subtotal, sale condition discount, IVA, perception and total from its priced
 * lines (pricing.py steps 3 to 5): the condition's percent comes off the sum of the line nets;
 * IVA is rounded once per rate, on that rate's line nets less their share of the condition's
 * discount, less the client's IVA liberation (ivaExemptionPct, 0 to 100: a client liberated of
 * 40 % pays 60 % of the IVA); perceive(netCents) gives the IIBB perception in cents (none
 * without it). Amounts as decimal strings.
 */
export function orderTotals(lines, conditionPct = "0", perceive = null, ivaExemptionPct = "0") {
  let subtotal = 0n;
  const byRate = new Map(); // "21" and "21.00" are one rate, as Decimals are in Python
  for (const line of lines) {
    const net = toCents(line.net);
    subtotal += net;
    const rate = fraction(line.tax_rate);
    const key = String((rate.num * 1_000_000n) / rate.den);
    const group = byRate.get(key) ?? { rate, base: 0n };
    group.base += net;
    byRate.set(key, group);
  }
  const pct = fraction(conditionPct ?? "0");
  const conditionDiscount = roundHalfUp(subtotal * pct.num, 100n * pct.den);
  const net = subtotal - conditionDiscount;
  const keep = 100n * pct.den - pct.num; // (1 - pct/100) is keep / (100 x pct.den)
  const exempt = fraction(ivaExemptionPct ?? "0");
  if (exempt.num < 0n || exempt.num > 100n * exempt.den) {
    throw new Error("the IVA liberation must be from 0 to 100 %");
  }
  const liable = 100n * exempt.den - exempt.num; // (1 - ex/100) is liable / (100 x ex.den)
  let tax = 0n;
  for (const { rate, base } of byRate.values()) {
    tax += roundHalfUp(
      base * keep * rate.num * liable,
      100n * pct.den * 100n * rate.den * 100n * exempt.den,
    );
  }
  const perception = perceive ? perceive(net) : 0n;
  return {
    subtotal: fromCents(subtotal),
    condition_pct: conditionPct ?? "0",
    condition_discount: fromCents(conditionDiscount),
    net: fromCents(net),
    tax: fromCents(tax),
    perception: fromCents(perception),
    total: fromCents(net + tax + perception),
  };
}

/**
 * The sale condition an order takes when none is chosen (quote() in app/orders/services.py):
 * the client's own or its type's; an immediate payment takes the first cash condition by
 * code instead of one on credit. null when the client has none.
 */
export function saleConditionFor(client, catalogue, paymentMethod) {
  const conditions = live(catalogue.sale_conditions);
  const chosen = conditions.find((row) => row.id === client.sale_condition_id) ?? null;
  if (chosen && !chosen.immediate && !CREDIT_METHODS.includes(paymentMethod)) {
    const cash = conditions.filter((row) => row.immediate);
    cash.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    return cash[0] ?? null;
  }
  return chosen;
}

/**
 * The client's registry row for a jurisdiction valid on the day, the latest published one
 * if several (app/taxes/services.py _registry_rate).
 */
function registryRow(client, jurisdictionId, on) {
  if (!client.tax_id) return null;
  const rows = (client.iibb_rates ?? []).filter(
    (row) => row.jurisdiction_id === jurisdictionId && row.valid_from <= on && on <= row.valid_to,
  );
  return rows.reduce((best, row) => (!best || row.published_on >= best.published_on ? row : best), null);
}

/**
 * The IIBB perception, in cents, on a sale of `netCents` to the client on the day: summed
 * over the jurisdictions that reach it (its card's province, or a registry row of its CUIT),
 * each by the rule of app/taxes/perceptions.py (Convenio Multilateral left out where the
 * jurisdiction says so; the registry rate, 0 exempting, else the default rate; nothing below
 * the minimum; base x rate rounded half up to cents).
 */
export function perception(client, jurisdictions, netCents, on) {
  let total = 0n;
  for (const jurisdiction of jurisdictions ?? []) {
    const registry = registryRow(client, jurisdiction.id, on);
    if (!registry && client.province !== jurisdiction.province) continue;
    if (client.iibb_multilateral && !jurisdiction.include_multilateral) continue;
    const rate = registry ? registry.rate : jurisdiction.default_rate;
    if (rate == null || compare(rate, "0") === 0) continue;
    if (netCents < toCents(jurisdiction.minimum_amount)) continue;
    const { num, den } = fraction(rate);
    total += roundHalfUp(netCents * num, 100n * den);
  }
  return total;
}

/** The rows of a catalogue table that are still there (a delta may carry dropped ones). */
function live(rows) {
  return (rows ?? []).filter((row) => !row.deleted);
}

/**
 * The list a client's order is priced with: a branch's own list when delivering to that
 * address, else the client's (price_list_for in app/orders/services.py).
 */
export function priceListFor(client, addressId) {
  const address = (client.addresses ?? []).find((row) => row.id === addressId);
  return address?.branch_price_list_id ?? client.price_list_id ?? null;
}

/**
 * What pricing needs about one product for this client: its price in the list and currency,
 * its promotions and volume breaks, and the client's own conditions for it and for every
 * product (a special price only in the client's account currency).
 */
export function lineInput(client, catalogue, productId, quantity, options) {
  const { priceListId, currency = client.currency } = options;
  const product = live(catalogue.products).find((row) => row.id === productId);
  const price = live(catalogue.prices).find(
    (row) =>
      row.price_list_id === priceListId &&
      row.product_id === productId &&
      row.currency === currency,
  );
  const own = (client.conditions ?? []).filter(
    (row) =>
      (row.product_id === productId || row.product_id == null) &&
      (row.special_price == null || currency === client.currency),
  );
  // Product-specific conditions first, as app/orders/services.py passes them.
  own.sort((a, b) => (a.product_id == null) - (b.product_id == null));
  return {
    product_id: productId,
    quantity,
    list_price: price ? price.price : null,
    tax_rate: product ? product.tax_rate : "0",
    promotions: live(catalogue.promotions).filter((row) => row.product_id === productId),
    breaks: live(catalogue.volume_discounts).filter((row) => row.product_id === productId),
    own,
  };
}

/**
 * The unit price a client pays for a product before discounts (its own price in force, else
 * the list's), as a decimal string; null when it has none. For the product search.
 */
export function unitPrice(client, catalogue, productId, options) {
  const line = lineInput(client, catalogue, productId, "1", options);
  const special = line.own.find(
    (o) => o.special_price != null && inForce(o.valid_from, o.valid_to, options.on),
  );
  return special ? special.special_price : line.list_price;
}

/**
 * An order priced for the client on the day: lines [{product_id, quantity}]. Returns {lines
 * (priced, in order; null where the product has no price), missing (indexes of those),
 * condition (the sale condition applied, or null), totals}. options: {on, priceListId,
 * currency, paymentMethod}.
 */
export function priceOrder(client, catalogue, lines, options) {
  const priced = [];
  const missing = [];
  lines.forEach(({ product_id: productId, quantity }, index) => {
    try {
      const line = lineInput(client, catalogue, productId, quantity, options);
      priced.push(priceLine(line, options.on, client.type_discount_pct));
    } catch (error) {
      if (!(error instanceof NoPrice)) throw error;
      priced.push(null);
      missing.push(index);
    }
  });
  const condition = saleConditionFor(client, catalogue, options.paymentMethod);
  const perceive = (net) => perception(client, catalogue.jurisdictions, net, options.on);
  const totals = orderTotals(
    priced.filter(Boolean),
    condition?.discount_pct,
    perceive,
    client.iva_exemption_pct ?? "0",
  );
  return { lines: priced, missing, condition, totals };
}
