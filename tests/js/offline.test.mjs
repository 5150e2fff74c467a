// The pure parts of the offline views (static/js/offline/): routes, search, links, the pickup
// rule, money and typed amounts, and how queued orders count in the credit snapshot. The
// same cases as the Python tests where there is a Python twin. Run: node --test tests/js/

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { queuedCredit, withQueued } from "../../static/js/offline/credit.js";
import { amountValue, day, money, number, quantityText } from "../../static/js/offline/format.js";
import { telHref, whatsappNumber } from "../../static/js/offline/links.js";
import { deliveryAddresses } from "../../static/js/offline/order-parts.js";
import { noticesInForce } from "../../static/js/offline/parts.js";
import { compactDocument, pickupAllowed } from "../../static/js/offline/pickups.js";
import { route } from "../../static/js/offline/router.js";
import { matches, searchKey } from "../../static/js/offline/search.js";

describe("route", () => {
  const cases = [
    ["/clients/", "", "clients", null],
    ["/clients", "", "clients", null],
    ["/offline/shell", "", "clients", null],
    ["/clients/12", "", "card", 12],
    ["/clients/new", "", "prospect", null],
    ["/clients/new/", "", "prospect", null],
    ["/clients/12/pickups/verify", "?document=123", "pickups", 12],
    ["/orders/new", "?client_id=7", "order", 7],
    ["/orders/new", "", "pick", null],
    ["/orders/new", "?client_id=abc", "pick", null],
    ["/cases/new", "?client_id=9", "case", 9],
    ["/cases/new", "", "case", null],
    ["/cases/7", "", "unavailable", null],
    ["/collections/clients/3/call", "", "call", 3],
    ["/collections/clients/3/receipt", "", "receipt", 3],
    ["/sync/", "", "status", null],
    ["/sync", "", "status", null],
    ["/route/", "", "route", null],
    ["/route", "?date=2027-01-04", "route", null],
    ["/route/team", "", "unavailable", null],
    ["/orders/", "", "unavailable", null],
    ["/clients/12/edit", "", "unavailable", null],
  ];
  for (const [path, search, name, clientId] of cases) {
    test(`${path}${search} -> ${name}`, () => {
      const match = route(path, search);
      assert.equal(match.name, name);
      assert.equal(match.clientId, clientId);
    });
  }
});

describe("search", () => {
  const key = searchKey("C000042", "Núñez Hnos. S.A.", "Kiosco Don José", "20-12345678-6", "San Martín");
  for (const query of ["nunez", "NÚÑEZ", "don jose", "c000042", "20-12345678-6", "20123456786", "san mart", ""]) {
    test(`finds «${query}»`, () => assert.ok(matches(key, query)));
  }
  test("every word must be there", () => assert.equal(matches(key, "nunez perez"), false));
});

describe("links like app/collections/links.py", () => {
  const cases = [
    ["11 4567-8901", "5491145678901"],
    ["011 15 4567-8901", "5491145678901"],
    ["(0351) 15-512-3456", "5493515123456"],
    ["+54 11 4567-8901", "5491145678901"],
    ["+54 9 11 4567-8901", "5491145678901"],
    ["5491145678901", "5491145678901"],
    ["+598 99 123 456", "59899123456"],
    ["4567-8901", null],
    ["", null],
    [null, null],
  ];
  for (const [raw, expected] of cases) {
    test(`whatsapp ${raw}`, () => assert.equal(whatsappNumber(raw), expected));
  }
  test("tel", () => {
    assert.equal(telHref("+54 (11) 4567-8901"), "tel:+541145678901");
    assert.equal(telHref("12"), null);
  });
});

describe("pickup_allowed", () => {
  const pickup = { name: "Ana", document: "23.456.789", valid_from: "2026-11-01", valid_to: "2026-11-30" };
  test("the document without dots, within the dates", () => {
    assert.ok(pickupAllowed(pickup, "23456789", "2026-11-23"));
    assert.ok(pickupAllowed(pickup, " 23.456.789 ", "2026-11-30"));
  });
  test("another document, before or after the dates, or nothing typed", () => {
    assert.equal(pickupAllowed(pickup, "23456780", "2026-11-23"), false);
    assert.equal(pickupAllowed(pickup, "23456789", "2026-10-31"), false);
    assert.equal(pickupAllowed(pickup, "23456789", "2026-12-01"), false);
    assert.equal(pickupAllowed(pickup, "", "2026-11-23"), false);
  });
  test("open dates never expire", () => {
    assert.ok(pickupAllowed({ document: "AB-12" }, "ab12", "2030-01-01"));
    assert.equal(compactDocument("ab 1.2-3"), "AB123");
  });
});

describe("format", () => {
  test("money from cents (the amounts' shared cases are in numbers.test.mjs)", () => {
    assert.equal(money(12345n), "$\u00a0123,45");
  });
  test("typed amounts as the API's two-decimal amounts", () => {
    assert.equal(amountValue("1.234,50"), "1234.50");
    assert.equal(amountValue("50.000"), "50000.00");
    assert.equal(amountValue("12.5"), "12.50");
    assert.equal(amountValue("$ 10"), "10.00");
    assert.equal(amountValue("0"), null);
    assert.equal(amountValue("1,234"), null);
    assert.equal(amountValue("abc"), null);
  });
  test("quantities, days and numbers", () => {
    assert.equal(quantityText("2,5"), "2.5");
    assert.equal(quantityText("1.234,50"), "1234.50");
    assert.equal(quantityText("-1"), null);
    assert.equal(day("2026-11-23"), "23/11/2026");
    assert.equal(number("10.50"), "10,5");
    assert.equal(number("10"), "10");
    assert.equal(number("5.000"), "5");
  });
});

describe("notices in force", () => {
  const client = {
    notices: [
      { id: 1, severity: "info", valid_from: "2026-11-01", valid_to: null },
      { id: 2, severity: "important", valid_from: "2026-11-01", valid_to: "2026-11-22" },
      { id: 3, severity: "warning", valid_from: "2026-11-24", valid_to: null },
      { id: 4, severity: "important", valid_from: "2026-11-23", valid_to: "2026-11-23" },
      { id: 5, severity: "info", valid_from: "2026-11-10", valid_to: "2026-12-31" },
    ],
  };
  test("only those whose dates hold today, most pressing first, then the newest", () => {
    assert.deepEqual(noticesInForce(client, "2026-11-23").map((n) => n.id), [4, 5, 1]);
  });
});

describe("queued orders in the credit snapshot", () => {
  const order = (method, decision, total) => ({ kind: "order", body: { payment_method: method }, offline: { decision, total } });
  test("credit orders the phone allowed add their total and one document each", () => {
    const queued = queuedCredit([
      order("current_account", "allowed", "1000.50"),
      order("mixed", "allowed", "99.50"),
      order("cash", "allowed", "5000.00"),
      order("current_account", "blocked", "7000.00"),
      { kind: "order", body: "client_id=2&payment_method=current_account", offline: null },
      { kind: "call", body: {}, offline: null },
    ]);
    assert.deepEqual(queued, { cents: 110000n, count: 3 });
    const snapshot = withQueued({ pending_orders: "10.00", pending_documents: 2, balance: "5.00" }, queued);
    assert.equal(snapshot.pending_orders, "1110.00");
    assert.equal(snapshot.pending_documents, 5);
    assert.equal(snapshot.balance, "5.00");
  });
});

describe("delivery addresses, as shipping_addresses in app/orders/services.py", () => {
  test("shipping first, then branches; the fiscal one only when there is nothing else", () => {
    const addresses = [
      { id: 1, kind: "fiscal" },
      { id: 4, kind: "branch" },
      { id: 3, kind: "shipping" },
      { id: 2, kind: "shipping" },
    ];
    assert.deepEqual(deliveryAddresses({ addresses }).map((a) => a.id), [2, 3, 4]);
    assert.deepEqual(deliveryAddresses({ addresses: [{ id: 1, kind: "fiscal" }] }).map((a) => a.id), [1]);
    assert.deepEqual(deliveryAddresses({}), []);
  });
});
