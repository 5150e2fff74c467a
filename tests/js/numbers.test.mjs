// Typed numbers and money text on the phone pass the shared cases that tests/core/test_numbers.py
// and tests/core/test_money_text.py run against app/core/numbers.py, money_text and the money
// filter. Run: node --test tests/js/

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { moneyText } from "../../static/js/credit.js";
import { decimalText, money } from "../../static/js/offline/format.js";

const read = (name) => JSON.parse(readFileSync(new URL(`../core/${name}`, import.meta.url), "utf8"));
const NUMBERS = read("number_cases.json");
const MONEY = read("money_cases.json");

describe("typed numbers (number_cases.json)", () => {
  for (const { name, input, negative, expected } of NUMBERS.cases) {
    test(name, () => assert.equal(decimalText(input, negative), expected));
  }
});

describe("money text of the credit messages (money_cases.json)", () => {
  for (const { amount, expected } of MONEY.money_text) {
    test(`${amount} -> ${expected}`, () => assert.equal(moneyText(amount), expected));
  }
});

describe("money as the pages show it (money_cases.json)", () => {
  for (const { amount, currency, expected } of MONEY.money) {
    test(`${amount} ${currency} -> ${expected}`, () => assert.equal(money(amount, currency), expected));
  }
});
