// The route map's plain parts (static/js/map.js): which points it draws, the pins' classes,
// the route line and the reason shown instead of a map. Run: node --test tests/js/

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  locatedPoints,
  location,
  missingReason,
  pinClass,
  pinTitle,
  routeLine,
} from "../../static/js/map.js";

const CASES = JSON.parse(
  readFileSync(new URL("../core/map_point_cases.json", import.meta.url), "utf8"),
).cases;

const point = (n, lat, lng, extra = {}) => ({ n, name: `Cliente ${n}`, lat, lng, ...extra });

describe("coordinates (map_point_cases.json)", () => {
  for (const { name, lat, lng, expected } of CASES) {
    test(name, () => assert.deepEqual(location({ lat, lng }), expected));
  }
});

describe("points the map draws", () => {
  test("keeps the located ones in order, with numbers for coordinates", () => {
    const points = [
      point(1, "-34.60", "-58.38"),
      point(2, null, null),
      point(3, -34.61, -58.4),
      point(4, "", "-58.4"),
    ];
    assert.deepEqual(
      locatedPoints(points).map((p) => [p.n, p.lat, p.lng]),
      [
        [1, -34.6, -58.38],
        [3, -34.61, -58.4],
      ],
    );
  });

  test("keeps a point's other fields", () => {
    const [only] = locatedPoints([point(1, -34.6, -58.38, { href: "/c/1", state: "visited" })]);
    assert.equal(only.href, "/c/1");
    assert.equal(only.state, "visited");
  });

  test("reads nothing from what is not a list", () => {
    assert.deepEqual(locatedPoints(null), []);
    assert.deepEqual(locatedPoints({ lat: 1, lng: 1 }), []);
  });
});

describe("the reason there is no map", () => {
  const located = [point(1, -34.6, -58.38)];

  test("none: online, Leaflet loaded, a point to draw", () => {
    assert.equal(missingReason({ located, online: true, leaflet: true }), null);
  });

  test("no point with coordinates, whatever the connection", () => {
    assert.equal(missingReason({ located: [], online: true }), "empty");
    assert.equal(missingReason({ located: [], online: false }), "empty");
  });

  test("offline before Leaflet is even tried", () => {
    assert.equal(missingReason({ located, online: false }), "offline");
    assert.equal(missingReason({ located, online: false, leaflet: false }), "offline");
  });

  test("online but Leaflet did not load", () => {
    assert.equal(missingReason({ located, online: true, leaflet: false }), "failed");
  });
});

describe("pins", () => {
  test("a numbered pin takes its state's colour", () => {
    assert.equal(
      pinClass(point(1, 0, 1, { state: "pending" })),
      "map-pin map-pin--pending map-pin--numbered",
    );
    assert.equal(
      pinClass(point(2, 0, 1, { state: "skipped" })),
      "map-pin map-pin--skipped map-pin--numbered",
    );
  });

  test("the reports' map colours clients by ABC rating or risk", () => {
    for (const state of ["abc-a", "abc-b", "abc-c", "risk"]) {
      assert.equal(pinClass(point(null, 0, 1, { state })), `map-pin map-pin--${state} map-pin--dot`);
    }
  });

  test("a point without a number is a plain dot", () => {
    assert.equal(pinClass(point(null, 0, 1, { state: "order" })), "map-pin map-pin--order map-pin--dot");
  });

  test("an unknown or missing state is 'other'", () => {
    assert.equal(pinClass(point(1, 0, 1, { state: "lost" })), "map-pin map-pin--other map-pin--numbered");
    assert.equal(pinClass(point(1, 0, 1)), "map-pin map-pin--other map-pin--numbered");
  });

  test("the title carries the number for a numbered pin", () => {
    assert.equal(pinTitle(point(3, 0, 1)), "3. Cliente 3");
    assert.equal(pinTitle({ n: null, name: "Depósito" }), "Depósito");
  });
});

describe("the route line", () => {
  test("joins the numbered points by number, leaving the plain dots out", () => {
    const points = [point(3, -3, -3), point(null, -9, -9), point(1, -1, -1), point(2, -2, -2)];
    assert.deepEqual(routeLine(points), [
      [-1, -1],
      [-2, -2],
      [-3, -3],
    ]);
  });

  test("is empty without numbered points", () => {
    assert.deepEqual(routeLine([point(null, -1, -1)]), []);
  });
});
