// The order form's pure parts: − / + taps, adding a product already in the order (one line per
// product), and the location asked on sending, never again once refused on this phone.
// Run: node --test tests/js/

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { REFUSED_KEY, askBeforeSending, refusedHere } from "../../static/js/ask-location.js";
import { parseQuantity, stepped, summed } from "../../static/js/order-lines.js";

describe("quantities", () => {
  test("a typed quantity reads as people type it; anything else is 0", () => {
    assert.equal(parseQuantity("2"), 2);
    assert.equal(parseQuantity("2,5"), 2.5);
    assert.equal(parseQuantity("1.234,5"), 1234.5);
    assert.equal(parseQuantity(""), 0);
    assert.equal(parseQuantity("-1"), 0);
    assert.equal(parseQuantity("dos"), 0);
  });

  test("a tap adds or takes one, never below 1 by a tap", () => {
    assert.equal(stepped("2", 1), "3");
    assert.equal(stepped("2,5", -1), "1,5");
    assert.equal(stepped("1", -1), "1");
    assert.equal(stepped("0,5", -1), "0,5");
    assert.equal(stepped("", 1), "1");
  });

  test("adding more of a line sums the quantities, with a decimal comma", () => {
    assert.equal(summed("2", "1"), "3");
    assert.equal(summed("2,5", "0,25"), "2,75");
    assert.equal(summed("0,1", "0,2"), "0,3");
    assert.equal(summed("", "6"), "6");
    assert.equal(summed("abc", "2"), "2");
  });
});

/** A form with the hidden location fields and a status line, as the order form has them. */
function fakeForm() {
  const fields = { latitude: { value: "" }, longitude: { value: "" }, accuracy: { value: "" } };
  const status = {
    hidden: true,
    textContent: "",
    dataset: { why: "por qué", shared: "compartida", refused: "no compartida" },
  };
  return {
    fields,
    status,
    querySelector(selector) {
      if (selector === "[data-location-status]") return status;
      const name = /data-location="(\w+)"/.exec(selector)?.[1];
      return fields[name] ?? null;
    },
  };
}

function fakeStorage() {
  const items = new Map();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => items.set(key, String(value)),
  };
}

/** A phone whose owner answers with `answer` ("yes", "no" or "unavailable"); counts the asks. */
function fakeGeolocation(answer) {
  const phone = { asked: 0 };
  phone.getCurrentPosition = (ok, fail) => {
    phone.asked += 1;
    const coords = { latitude: -34.6037221, longitude: -58.3815924, accuracy: 24.6 };
    if (answer === "yes") ok({ coords });
    else fail({ code: answer === "no" ? 1 : 2 });
  };
  return phone;
}

describe("the location asked on sending", () => {
  test("a shared position fills the form and says so", async () => {
    const form = fakeForm();
    const phone = fakeGeolocation("yes");
    await askBeforeSending(form, phone, fakeStorage());
    assert.equal(phone.asked, 1);
    assert.equal(form.fields.latitude.value, "-34.603722");
    assert.equal(form.fields.longitude.value, "-58.381592");
    assert.equal(form.fields.accuracy.value, "25");
    assert.equal(form.status.textContent, "compartida");
    assert.equal(form.status.hidden, false);
  });

  test("a refusal is remembered and the phone is never asked again", async () => {
    const store = fakeStorage();
    const phone = fakeGeolocation("no");
    await askBeforeSending(fakeForm(), phone, store);
    assert.equal(store.getItem(REFUSED_KEY), "1");
    assert.equal(refusedHere(store), true);
    const form = fakeForm();
    await askBeforeSending(form, phone, store);
    assert.equal(phone.asked, 1);
    assert.equal(form.fields.latitude.value, "");
    assert.equal(form.status.hidden, true);
  });

  test("a position that could not be read is no refusal: the next order asks again", async () => {
    const store = fakeStorage();
    const phone = fakeGeolocation("unavailable");
    const form = fakeForm();
    await askBeforeSending(form, phone, store);
    await askBeforeSending(fakeForm(), phone, store);
    assert.equal(phone.asked, 2);
    assert.equal(refusedHere(store), false);
    assert.equal(form.status.textContent, "no compartida");
  });

  test("a phone without geolocation sends the form at once", async () => {
    const form = fakeForm();
    await askBeforeSending(form, undefined, fakeStorage());
    assert.equal(form.status.hidden, true);
  });
});
