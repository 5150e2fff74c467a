"""The outbox's rules, in a real Chromium's IndexedDB and Web Locks, with scripted answers.

Each test drives static/js/outbox.js inside a signed-in page and gives `replay` a fetch that
answers from a script (the answers the field produces: network errors, 5xx, 401, an expired
CSRF token, a final 4xx), and records what was sent. test_offline.py sends to the real server.
"""

import re

import pytest

from tests.e2e.conftest import wait_for_sync, watched_page

pytestmark = pytest.mark.e2e

# A fetch that answers from window.__script (a list of {status, body} or "network" per call to
# the write URL) and records every call; /api/v1/session answers window.__session.
SCRIPTED_FETCH = """
window.__calls = [];
window.__session = {status: 200, body: {user_id: Number(document.documentElement.dataset.userId),
                                       csrf_token: "token-1"}};
window.__script = [];
window.__fetch = async (url, init = {}) => {
  const path = new URL(url, location.href).pathname;
  if (path === "/api/v1/session") {
    const s = window.__session;
    return new Response(JSON.stringify(s.body), {status: s.status,
      headers: {"Content-Type": "application/json"}});
  }
  const headers = init.headers || {};
  window.__calls.push({path, key: headers["Idempotency-Key"],
                       csrf: headers["X-CSRFToken"], body: init.body});
  if (window.__delay) await new Promise((r) => setTimeout(r, window.__delay));
  const next = window.__script.length ? window.__script.shift() : {status: 201, body: {ok: true}};
  if (next === "network") throw new TypeError("Failed to fetch");
  return new Response(JSON.stringify(next.body), {status: next.status,
    headers: {"Content-Type": "application/json"}});
};
"scripted";  // the value of this script: a function here would be called by evaluate
"""

ENQUEUE = """async ({n, online}) => {
  const outbox = await import(document.documentElement.dataset.static + "js/outbox.js");
  const made = [];
  for (let i = 0; i < n; i++) {
    // enqueue tries to send at once when online: keep the tests in charge of sending.
    const item = await outbox.enqueue({kind: "note", url: "/api/v1/clients/1/notes",
      body: {text: `nota ${i}`}, client_id: 1, label: `nota ${i}`});
    made.push(item.key);
  }
  return made;
}"""

REPLAY = """async () => {
  const outbox = await import(document.documentElement.dataset.static + "js/outbox.js");
  return outbox.replay({fetcher: window.__fetch});
}"""

ITEMS = """async () => {
  const outbox = await import(document.documentElement.dataset.static + "js/outbox.js");
  return (await outbox.listItems()).map((i) => ({key: i.key, state: i.state,
    problem: i.problem, error: i.error, attempts: i.attempts, status: i.status,
    next_try_at: i.next_try_at}));
}"""


@pytest.fixture
def outbox_page(page, context, sign_in):
    """A signed-in page whose fetch for replays is scripted; offline so enqueue never sends."""
    sign_in("vendedor1")
    wait_for_sync(page)  # the page's own first sync and replay are over
    page.evaluate(SCRIPTED_FETCH)
    context.set_offline(True)  # navigator.onLine = false: enqueue keeps items for replay
    return page


def _enqueue(page, n):
    return page.evaluate(ENQUEUE, {"n": n, "online": False})


def test_items_are_sent_in_order_once_with_their_keys(outbox_page):
    keys = _enqueue(outbox_page, 3)

    sent = outbox_page.evaluate(REPLAY)

    calls = outbox_page.evaluate("window.__calls")
    assert sent == 3
    assert [c["key"] for c in calls] == keys
    assert {c["csrf"] for c in calls} == {"token-1"}
    assert [i["state"] for i in outbox_page.evaluate(ITEMS)] == ["done", "done", "done"]
    # A second replay has nothing left to send.
    assert outbox_page.evaluate(REPLAY) == 0
    assert len(outbox_page.evaluate("window.__calls")) == 3


def test_a_network_error_keeps_the_item_and_stops_the_pass(outbox_page):
    keys = _enqueue(outbox_page, 2)
    outbox_page.evaluate("window.__script = ['network']")

    outbox_page.evaluate(REPLAY)

    items = outbox_page.evaluate(ITEMS)
    assert [i["state"] for i in items] == ["pending", "pending"]
    assert items[0]["problem"] == "network" and items[0]["attempts"] == 1
    assert items[0]["next_try_at"] > 0  # backoff before the next try
    # The second item was not sent ahead of the first.
    assert [c["key"] for c in outbox_page.evaluate("window.__calls")] == keys[:1]

    # While the backoff lasts a replay sends nothing; retryNow skips the wait, in order.
    assert outbox_page.evaluate(REPLAY) == 0
    outbox_page.evaluate(
        """async () => { const o = await import(
          document.documentElement.dataset.static + "js/outbox.js");
           const [first] = await o.listItems();
           await o.retryNow(first.id).catch(() => {});
           return o.replay({fetcher: window.__fetch}); }"""
    )
    # retryNow ran a pass with the real fetch (offline: nothing sent); the scripted pass sends.
    items = outbox_page.evaluate(ITEMS)
    assert [i["state"] for i in items] == ["done", "done"]
    assert [c["key"] for c in outbox_page.evaluate("window.__calls")] == [keys[0], *keys]


def test_a_server_error_keeps_the_item_pending(outbox_page):
    _enqueue(outbox_page, 1)
    outbox_page.evaluate(
        "window.__script = [{status: 503, body: {error: {code: 'unavailable', message: 'x'}}}]"
    )

    outbox_page.evaluate(REPLAY)

    [item] = outbox_page.evaluate(ITEMS)
    assert item["state"] == "pending" and item["problem"] == "server"


def test_a_4xx_is_a_final_answer_and_the_next_items_still_go(outbox_page):
    keys = _enqueue(outbox_page, 2)
    refusal = {
        "status": 422,
        "body": {"error": {"code": "invalid", "message": "El texto es obligatorio.", "fields": {}}},
    }
    outbox_page.evaluate("(r) => { window.__script = [r]; }", refusal)

    outbox_page.evaluate(REPLAY)

    items = outbox_page.evaluate(ITEMS)
    assert [i["state"] for i in items] == ["rejected", "done"]
    assert items[0]["error"] == "El texto es obligatorio." and items[0]["status"] == 422
    assert [c["key"] for c in outbox_page.evaluate("window.__calls")] == keys
    # A rejected item is never sent again.
    outbox_page.evaluate(REPLAY)
    assert len(outbox_page.evaluate("window.__calls")) == 2


def test_an_expired_session_keeps_every_item_until_sign_in(outbox_page):
    _enqueue(outbox_page, 2)
    outbox_page.evaluate("window.__session = {status: 401, body: {}}")

    outbox_page.evaluate(REPLAY)

    assert [i["state"] for i in outbox_page.evaluate(ITEMS)] == ["signin", "signin"]
    assert outbox_page.evaluate("window.__calls") == []

    # Signed in again: the same items go, once each.
    outbox_page.evaluate(
        "window.__session = {status: 200, body: {user_id: "
        "Number(document.documentElement.dataset.userId), csrf_token: 'token-2'}}"
    )
    assert outbox_page.evaluate(REPLAY) == 2
    assert [i["state"] for i in outbox_page.evaluate(ITEMS)] == ["done", "done"]
    assert {c["csrf"] for c in outbox_page.evaluate("window.__calls")} == {"token-2"}


def test_a_stale_csrf_token_is_renewed_once(outbox_page):
    [key] = _enqueue(outbox_page, 1)
    csrf = {"status": 400, "body": {"error": {"code": "csrf_failed", "message": "venció"}}}
    outbox_page.evaluate("(r) => { window.__script = [r]; }", csrf)

    outbox_page.evaluate(REPLAY)

    [item] = outbox_page.evaluate(ITEMS)
    assert item["state"] == "done"
    assert [c["key"] for c in outbox_page.evaluate("window.__calls")] == [key, key]


def test_a_csrf_token_refused_twice_asks_to_sign_in(outbox_page):
    _enqueue(outbox_page, 1)
    csrf = {"status": 400, "body": {"error": {"code": "csrf_failed", "message": "venció"}}}
    outbox_page.evaluate("(r) => { window.__script = [r, r]; }", csrf)

    outbox_page.evaluate(REPLAY)

    [item] = outbox_page.evaluate(ITEMS)
    assert item["state"] == "signin"


def test_another_users_items_wait_for_that_user(outbox_page):
    _enqueue(outbox_page, 1)
    outbox_page.evaluate(
        "window.__session = {status: 200, body: {user_id: 99999, csrf_token: 't'}}"
    )

    outbox_page.evaluate(REPLAY)

    [item] = outbox_page.evaluate(ITEMS)
    assert item["state"] == "pending" and item["problem"] == "other_user"
    assert outbox_page.evaluate("window.__calls") == []


def test_two_tabs_replaying_at_once_send_each_item_once(outbox_page, context, errors):
    context.set_offline(False)
    other = watched_page(context, errors)
    other.goto(outbox_page.url)
    other.wait_for_load_state("networkidle")
    context.set_offline(True)
    other.evaluate(SCRIPTED_FETCH)
    keys = _enqueue(outbox_page, 4)
    for tab in (outbox_page, other):
        tab.evaluate("window.__delay = 150")

    # Both tabs start a pass at the same moment; the lock lets one run.
    outbox_page.evaluate(
        """async () => {
             const o = await import(document.documentElement.dataset.static + "js/outbox.js");
             window.__run = o.replay({fetcher: window.__fetch});
           }"""
    )
    other.evaluate(REPLAY)
    outbox_page.evaluate("window.__run")
    other.evaluate(REPLAY)  # and once more after the first pass ended

    sent = outbox_page.evaluate("window.__calls") + other.evaluate("window.__calls")
    assert sorted(c["key"] for c in sent) == sorted(keys)
    assert [i["state"] for i in outbox_page.evaluate(ITEMS)] == ["done"] * 4


def test_unsent_items_survive_a_reload_and_refuse_sign_out(outbox_page, context):
    context.set_offline(False)
    outbox_page.goto("/account")  # online once, so the phone keeps a copy of the page
    outbox_page.wait_for_load_state("networkidle")
    context.set_offline(True)
    _enqueue(outbox_page, 1)

    outbox_page.reload()  # offline: the service worker answers with its copy
    banner = outbox_page.locator("[data-cache-banner]")
    assert banner.is_visible()
    # one date format and a 24-hour clock, as everywhere: "del 07/12/2026 14:05."
    assert re.search(r"del \d{2}/\d{2}/\d{4} \d{2}:\d{2}\.$", banner.inner_text()), (
        banner.inner_text()
    )
    outbox_page.get_by_role("button", name="Cerrar sesión").click()

    refused = outbox_page.locator("[data-signout-refused]")
    refused.wait_for(state="visible")
    assert "envíos sin mandar" in refused.inner_text()
    assert outbox_page.url.endswith("/account")
    assert [i["state"] for i in outbox_page.evaluate(ITEMS)] == ["pending"]
