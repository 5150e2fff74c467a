// The service worker's notifications (static/js/notifications.js): the buttons a push carries,
// and what a tap on "Aprobar" / "Rechazar" sends and shows. Run: node --test tests/js/

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { notificationFor, sendDecision, tapPlan } from "../../static/js/notifications.js";

// A push as app/credit/overrides.py's request_message builds it for an approver (user 7).
const DECIDABLE = {
  title: "Pedido para aprobar",
  body: "Almacén Don José: pedido de $ 120.000 supera la antigüedad",
  url: "/credit/approvals#request-5",
  tag: "override-5",
  actions: [
    { action: "approve", title: "Aprobar" },
    { action: "reject", title: "Rechazar" },
  ],
  data: {
    decide: {
      url: "/api/v1/override-requests/5/decision",
      request_id: 5,
      user_id: 7,
      answered: { approve: "Pedido aprobado", reject: "Pedido rechazado" },
    },
  },
};
const PLAIN = { title: "Pedido aprobado", body: "Almacén Don José: $ 1.200", url: "/orders/9", tag: "order-9" };

const json = (status, body) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** A fetch that answers from a list, in order, and keeps what it was asked. */
function fakeFetch(...answers) {
  const calls = [];
  const fetcher = async (url, init = {}) => {
    calls.push({ url, init });
    const answer = answers.shift();
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fetcher, calls };
}

const signedIn = (userId = 7) => json(200, { user_id: userId, username: "supervisor", full_name: "Carolina", csrf_token: "tok" });

function shown(message) {
  const [title, options] = notificationFor(message);
  return { title, options };
}

describe("the notification a push shows", () => {
  test("a request the user can decide carries its two buttons and what they need", () => {
    const { title, options } = shown(DECIDABLE);
    assert.equal(title, "Pedido para aprobar");
    assert.equal(options.body, DECIDABLE.body);
    assert.equal(options.tag, "override-5");
    assert.deepEqual(options.actions, DECIDABLE.actions);
    assert.equal(options.data.url, "/credit/approvals#request-5");
    assert.deepEqual(options.data.decide, DECIDABLE.data.decide);
  });

  test("any other push has no buttons and opens its page", () => {
    const { title, options } = shown(PLAIN);
    assert.equal(title, "Pedido aprobado");
    assert.equal(options.actions, undefined);
    assert.deepEqual(options.data, { url: "/orders/9", title: "Pedido aprobado", body: PLAIN.body });
  });

  test("an empty push still shows the app's name", () => {
    const { title, options } = shown({});
    assert.equal(title, "Clientes en ruta");
    assert.equal(options.data.url, "/");
  });
});

describe("what a tap asks for", () => {
  const data = shown(DECIDABLE).options.data;

  test("a tap on the notification opens its page", () => {
    assert.deepEqual(tapPlan("", data), { open: "/credit/approvals#request-5" });
  });

  test("a tap on Aprobar or Rechazar is a decision with a key of its own", () => {
    const approve = tapPlan("approve", data);
    assert.equal(approve.decision, "approve");
    assert.equal(approve.url, "/api/v1/override-requests/5/decision");
    assert.equal(approve.userId, 7);
    assert.equal(approve.done, "Pedido aprobado");
    assert.equal(approve.page, "/credit/approvals#request-5");
    const reject = tapPlan("reject", data);
    assert.equal(reject.done, "Pedido rechazado");
    assert.notEqual(approve.key, reject.key);
    assert.equal(tapPlan("approve", data).key, approve.key, "a second tap replays the first");
    assert.match(approve.key, /^[A-Za-z0-9._:-]{8,100}$/, "the server's Idempotency-Key pattern");
  });

  test("a button the server did not offer only opens the page", () => {
    assert.deepEqual(tapPlan("approve", shown(PLAIN).options.data), { open: "/orders/9" });
    assert.deepEqual(tapPlan("archive", data), { open: "/credit/approvals#request-5" });
  });
});

describe("sending the decision", () => {
  const plan = tapPlan("approve", shown(DECIDABLE).options.data);

  test("posts it to the API as the signed-in user, with the key and the CSRF token", async () => {
    const { fetcher, calls } = fakeFetch(signedIn(), json(200, { id: 5, status: "approved" }));
    const next = await sendDecision(plan, fetcher);
    assert.deepEqual(next, {
      notify: { title: "Pedido aprobado", body: DECIDABLE.body, url: "/credit/approvals#request-5" },
    });
    assert.equal(calls[0].url, "/api/v1/session");
    const post = calls[1];
    assert.equal(post.url, "/api/v1/override-requests/5/decision");
    assert.equal(post.init.method, "POST");
    assert.equal(post.init.credentials, "same-origin");
    assert.equal(post.init.headers["Idempotency-Key"], plan.key);
    assert.equal(post.init.headers["X-CSRFToken"], "tok");
    assert.equal(post.init.headers["Content-Type"], "application/json");
    assert.deepEqual(JSON.parse(post.init.body), { decision: "approve" });
  });

  test("a refusal is said with the server's reason", async () => {
    const refused = json(422, {
      error: {
        code: "override_refused",
        message: "Esta solicitud venció: el vendedor debe pedirla de nuevo.",
        fields: { request: ["Esta solicitud venció: el vendedor debe pedirla de nuevo."] },
      },
    });
    const { fetcher } = fakeFetch(signedIn(), refused);
    assert.deepEqual(await sendDecision(plan, fetcher), {
      notify: {
        title: "Pedido para aprobar",
        body: "Esta solicitud venció: el vendedor debe pedirla de nuevo.",
        url: "/credit/approvals#request-5",
      },
    });
  });

  test("a rejection that needs a reason opens the page to write it", async () => {
    const needsReason = json(422, {
      error: { code: "override_refused", message: "Contá por qué.", fields: { comment: ["Contá por qué."] } },
    });
    const { fetcher } = fakeFetch(signedIn(), needsReason);
    const reject = tapPlan("reject", shown(DECIDABLE).options.data);
    assert.deepEqual(await sendDecision(reject, fetcher), { open: "/credit/approvals#request-5" });
  });

  test("nothing is sent for another user or a signed-out phone: the page opens", async () => {
    for (const session of [signedIn(8), json(401, { error: { code: "unauthorized" } })]) {
      const { fetcher, calls } = fakeFetch(session);
      assert.deepEqual(await sendDecision(plan, fetcher), { open: "/credit/approvals#request-5" });
      assert.equal(calls.length, 1, "only the session was asked");
    }
  });

  test("no network, or a server error, opens the page", async () => {
    for (const answers of [[new TypeError("offline")], [signedIn(), new TypeError("offline")], [signedIn(), json(503, {})]]) {
      const { fetcher } = fakeFetch(...answers);
      assert.deepEqual(await sendDecision(plan, fetcher), { open: "/credit/approvals#request-5" });
    }
  });
});
