"""A salesperson's day with the network really cut (a proxy between Chromium and the server).

Sign in and sync, go offline, reload, list and open clients, take an order the phone blocks
and two it allows, log a call and a note, close the tab and open it again, go online, and
everything reaches the server once. Also: replaying the same outbox again creates nothing,
and an answer lost after the server committed creates nothing twice.
"""

import re
import time
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.models import User
from app.clients import services as clients
from app.clients.models import Client, ClientNote
from app.collections.models import CollectionCall, FieldReceipt
from app.extensions import db
from app.orders.models import Order
from tests.e2e.conftest import fill_login_form, wait_for_sync, watched_page

pytestmark = pytest.mark.e2e

# vendedor1's active peso clients on credit with a money limit, that the phone would sell to.
CANDIDATES = """async () => {
  const store = await import(document.documentElement.dataset.static + "js/store.js");
  const { decide } = await import(document.documentElement.dataset.static + "js/credit.js");
  const meta = await store.getMeta();
  const headroom = (c) => Number(c.credit.limits.money) - Number(c.credit.balance ?? 0);
  return (await store.listClients())
    // the demo's own clients: other tests add clients of vendedor1 with one-product lists
    .filter((c) => !String(c.code).startsWith("E2E"))
    .filter((c) => c.state === "active" && !c.credit_blocked && c.currency === "ARS"
      && c.payment_methods.includes("current_account") && c.credit.limits?.money
      && decide(c.credit, "1.00", "current_account", meta.on).allowed)
    .sort((a, b) => headroom(a) - headroom(b))
    .map((c) => ({id: c.id, name: c.trade_name || c.legal_name}));
}"""

ITEMS = """async () => {
  const outbox = await import(document.documentElement.dataset.static + "js/outbox.js");
  return (await outbox.listItems()).map((i) => ({id: i.id, kind: i.kind, state: i.state,
    client_id: i.client_id, status: i.status, result: i.result, offline: i.offline}));
}"""

SETTLED = """async () => {
  const outbox = await import(document.documentElement.dataset.static + "js/outbox.js");
  for (;;) {
    const items = await outbox.listItems();
    if (items.length && items.every((i) => i.state === "done" || i.state === "rejected")) {
      return items.length;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}"""


def sign_in_and_sync(page, username: str = "vendedor1") -> None:
    """Sign in, wait for the first sync, and reload so the service worker controls the tab."""
    fill_login_form(page, username, "demo1234")
    page.wait_for_url(lambda url: "/login" not in url)
    wait_for_sync(page)
    # The worker may still be installing when the first sync ends: reload once it is active.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10_000)


def go_offline(context, proxy) -> None:
    proxy.mode = "down"  # the service worker's requests fail too
    context.set_offline(True)  # and the page knows it (navigator.onLine, the banner)


def go_online(context, proxy) -> None:
    proxy.mode = "up"
    context.set_offline(False)


def counts(live_app, client_ids: list[int]) -> dict[str, int]:
    """Orders, calls and manual notes of these clients in the server's database."""
    with live_app.app_context():
        found = {
            "orders": db.session.scalar(
                sa.select(sa.func.count()).where(Order.client_id.in_(client_ids))
            ),
            "calls": db.session.scalar(
                sa.select(sa.func.count()).where(CollectionCall.client_id.in_(client_ids))
            ),
            "notes": db.session.scalar(
                sa.select(sa.func.count()).where(
                    ClientNote.client_id.in_(client_ids), ClientNote.automatic.is_(False)
                )
            ),
        }
        db.session.remove()
    return found


@pytest.fixture
def phone(proxied_context, errors):
    """vendedor1's phone through the proxy: signed in, synced, the worker in control."""
    page = watched_page(proxied_context, errors)
    sign_in_and_sync(page)
    return page


def a_client(page, live_app) -> tuple[dict, dict[str, int]]:
    """A client the phone sells to on credit, and its orders, calls and notes on the server."""
    client = page.evaluate(CANDIDATES)[-1]
    return client, counts(live_app, [client["id"]])


def amount_shown(text: str) -> Decimal:
    """An amount as the app writes it ("$ 1.234,56") as a Decimal."""
    return Decimal(re.sub(r"[^\d,-]", "", text).replace(",", "."))


def wait_for_first_item(page, condition: str) -> None:
    """Wait until the outbox's first `item` meets a JavaScript condition."""
    page.wait_for_function(
        f"""async () => {{
              const outbox = await import(document.documentElement.dataset.static + "js/outbox.js");
              const [item] = await outbox.listItems();
              return Boolean(item) && ({condition});
            }}"""
    )


def open_offline(page, path: str, route: str) -> None:
    """Open a page that the offline views draw, and wait for that view."""
    page.goto(path)
    expect(page.locator("#offline-view")).to_have_attribute("data-route", route)


def take_order(page, client_id: int, quantity: int, reason: str | None = None) -> str:
    """Take an order of the first product on credit in the offline form; the phone's verdict."""
    open_offline(page, f"/orders/new?client_id={client_id}", "order")
    page.locator("#product-q").fill("a")
    page.locator("#product-results [data-add-product]").first.click()
    page.locator("label:has(input[name=payment_method][value=current_account])").click()
    line = page.locator("#lines [data-line]").first
    line.locator(".qty").fill(str(quantity))
    shown = page.locator("#offline-credit [data-verdict]:visible")
    expect(shown).to_have_count(1)
    verdict = shown.get_attribute("data-verdict")
    if reason is not None and verdict == "blocked":
        page.locator("#override-reason").fill(reason)
    return verdict


def submit_order(page, client_id: int) -> None:
    page.locator("[data-submit]").click()
    wait_for_saved_card(page, client_id)


def wait_for_saved_card(page, client_id: int) -> None:
    """The card a form goes back to, saying the write was kept (it drops ?saved= at once)."""
    expect(page).to_have_url(re.compile(rf"/clients/{client_id}(\?saved=\w+)?$"))
    expect(page.locator("#offline-view[data-route=card] [data-slot=saved]")).not_to_be_empty()


@pytest.fixture
def refuse_credit_later(live_app):
    """Block a client's credit on the server (after the phone synced); undone afterwards."""
    blocked = []

    def block(client_id: int) -> None:
        with live_app.app_context():
            clients.set_credit_blocked(db.session.get(Client, client_id), True)
            db.session.commit()
            db.session.remove()
        blocked.append(client_id)

    yield block
    with live_app.app_context():
        for client_id in blocked:
            clients.set_credit_blocked(db.session.get(Client, client_id), False)
        db.session.commit()
        db.session.remove()


def test_a_day_offline_reaches_the_server_exactly_once(
    proxied_context, proxied_server, live_app, errors, refuse_credit_later, phone
):
    context, proxy, page = proxied_context, proxied_server, phone
    candidates = page.evaluate(CANDIDATES)
    assert len(candidates) >= 3, "the demo data needs vendedor1 clients on credit"
    tight, fits, refused = candidates[0], candidates[-1], candidates[-2]
    ids = [tight["id"], fits["id"], refused["id"]]
    # The server will refuse credit to this one; the phone does not know yet.
    refuse_credit_later(refused["id"])
    before = counts(live_app, ids)

    go_offline(context, proxy)
    page.reload()
    expect(page.locator("#shell-banner [data-slot=net]")).to_have_text("Sin conexión")
    expect(page.locator("#shell-banner [data-slot=since]")).to_contain_text("Datos del")

    # The client list and a card, from the phone's copy.
    page.goto("/clients/")
    page.locator("#q").fill(fits["name"][:12])
    row = page.locator(f"#client-results a[data-client-id='{fits['id']}']")
    expect(row).to_be_visible()
    row.click()
    expect(page).to_have_url(re.compile(rf"/clients/{fits['id']}$"))
    expect(page.locator("#offline-view")).to_have_attribute("data-route", "card")
    expect(page.locator("#credit")).to_be_visible()

    # An order the phone allows, one it blocks (sent with a reason), and one the server refuses.
    assert take_order(page, fits["id"], 1) == "allowed"
    shown_total = page.locator("#order-summary [data-slot=total]").inner_text()
    submit_order(page, fits["id"])
    quantity = 1000
    while take_order(page, tight["id"], quantity, "Cliente de años, paga siempre") != "blocked":
        quantity *= 10
        assert quantity <= 10**7, "no quantity went over the client's limit"
    submit_order(page, tight["id"])
    assert take_order(page, refused["id"], 1) == "allowed"
    submit_order(page, refused["id"])

    # A collection call and a note.
    page.goto(f"/collections/clients/{fits['id']}/call")
    page.locator("label:has(input[name=channel][value=phone])").click()
    page.locator("label:has(input[name=outcome][value=no_answer])").click()
    page.get_by_role("button", name="Guardar gestión").click()
    wait_for_saved_card(page, fits["id"])
    expect(page.locator("#offline-view")).to_have_attribute("data-ready", "true")
    page.locator("#note-text").fill("Pide que lo visiten los martes.")
    page.get_by_role("button", name="Agregar nota").click()

    items = page.evaluate(ITEMS)
    assert [i["kind"] for i in items] == ["order", "order", "order", "call", "note"]
    assert {i["state"] for i in items} == {"pending"}
    assert counts(live_app, ids) == before  # nothing reached the server

    # Close the tab and open the app again, still offline: the queue is there.
    page.close()
    page = watched_page(context, errors)
    page.goto("/sync/")
    expect(page.locator("#outbox-list li[data-outbox-item]")).to_have_count(5)
    expect(page.locator("#outbox-list li[data-state=pending]")).to_have_count(5)

    # Back online: the outbox goes by itself, once.
    go_online(context, proxy)
    assert page.evaluate(SETTLED) == 5
    after = counts(live_app, ids)
    assert after == {
        "orders": before["orders"] + 3,
        "calls": before["calls"] + 1,
        "notes": before["notes"] + 1,
    }
    with live_app.app_context():
        placed = db.session.execute(
            sa.select(Order.client_id, Order.status, Order.total)
            .where(Order.client_id.in_(ids))
            .order_by(Order.id.desc())
            .limit(3)
        ).all()
        db.session.remove()
    statuses = {client_id: status for client_id, status, _total in placed}
    totals = {client_id: total for client_id, _status, total in placed}
    assert statuses[fits["id"]] == "accepted"
    # The phone priced it as the server did (discounts, sale condition, IIBB perception).
    assert amount_shown(shown_total) == totals[fits["id"]]
    assert statuses[tight["id"]] in {"awaiting_approval", "blocked"}
    assert statuses[refused["id"]] == "blocked"

    # What the server took leaves "Pendientes" by itself; the folded history says what the
    # server decided, and where it differs from the phone.
    page.reload()
    expect(page.locator("#outbox-list li[data-outbox-item]")).to_have_count(0)
    expect(page.locator("#sent-list li[data-state=done]")).to_have_count(5)
    page.locator("details#sent > summary").click()
    by_client = {i["client_id"]: i["id"] for i in page.evaluate(ITEMS) if i["kind"] == "order"}

    def verdict(client_id):
        item = page.locator(f"#sent-list li[data-outbox-id='{by_client[client_id]}']")
        return item.locator("[data-slot=verdict]")

    expect(verdict(refused["id"])).to_have_class(re.compile(r"\bwarn\b"))
    expect(verdict(refused["id"])).to_contain_text("El servidor lo encontró fuera del límite")
    expect(verdict(fits["id"])).not_to_have_class(re.compile(r"\bwarn\b"))
    errors.assert_none(ignore=(r"net::ERR_", r"status of 50\d"))


def test_replaying_the_same_outbox_again_creates_nothing(
    proxied_context, proxied_server, live_app, errors, phone
):
    page = phone
    client, before = a_client(page, live_app)
    go_offline(proxied_context, proxied_server)
    assert take_order(page, client["id"], 2) == "allowed"
    submit_order(page, client["id"])
    page.locator("#note-text").fill("Cambió el horario de recepción.")
    page.get_by_role("button", name="Agregar nota").click()
    go_online(proxied_context, proxied_server)
    assert page.evaluate(SETTLED) == 2
    first = page.evaluate(ITEMS)
    once = counts(live_app, [client["id"]])
    assert once == {**before, "orders": before["orders"] + 1, "notes": before["notes"] + 1}

    # The same outbox sent again (as a phone restored from a backup would): the server
    # answers each key with its first answer and creates nothing.
    posts_before = sum(r.method == "POST" for r in proxied_server.requests)
    page.evaluate(
        """async () => {
             const { openStore } = await import(
               document.documentElement.dataset.static + "js/store.js");
             const db = await openStore();
             for (const item of await db.getAll("outbox")) {
               await db.put("outbox", {...item, state: "pending", next_try_at: 0});
             }
             const outbox = await import(document.documentElement.dataset.static + "js/outbox.js");
             return outbox.replay();
           }"""
    )
    assert page.evaluate(SETTLED) == 2
    assert sum(r.method == "POST" for r in proxied_server.requests) >= posts_before + 2
    assert counts(live_app, [client["id"]]) == once
    again = page.evaluate(ITEMS)
    assert [i["result"] for i in again] == [i["result"] for i in first]
    errors.assert_none(ignore=(r"net::ERR_",))


def test_an_answer_lost_after_the_commit_creates_nothing_twice(
    proxied_context, proxied_server, live_app, errors, phone
):
    page = phone
    client, before = a_client(page, live_app)
    go_offline(proxied_context, proxied_server)
    assert take_order(page, client["id"], 3) == "allowed"
    submit_order(page, client["id"])

    # The link comes back but loses the server's answers to writes: the server commits, the
    # phone sees a network error and keeps the order pending.
    proxied_server.drop_if = lambda request: request.method == "POST"
    proxied_server.mode = "drop_responses"
    proxied_context.set_offline(False)
    # A connection cut while offline may fail one try first; wait for the answer to be lost.
    deadline = time.monotonic() + 30
    while not any(r.path == "/api/v1/orders" for r in proxied_server.dropped):
        assert time.monotonic() < deadline, "the answer to the order was never lost"
        page.wait_for_timeout(100)
    wait_for_first_item(page, 'item.state === "pending" && item.problem === "network"')
    committed = counts(live_app, [client["id"]])
    assert committed["orders"] == before["orders"] + 1  # the server did take it

    # A good link again: the retry gets the first answer, and no second order.
    proxied_server.mode = "up"
    page.evaluate(
        """async () => {
             const outbox = await import(document.documentElement.dataset.static + "js/outbox.js");
             const [item] = await outbox.listItems();
             return outbox.retryNow(item.id);
           }"""
    )
    assert page.evaluate(SETTLED) == 1
    [item] = page.evaluate(ITEMS)
    assert item["state"] == "done" and item["status"] == 201
    assert counts(live_app, [client["id"]]) == committed
    with live_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
        latest = db.session.scalar(
            sa.select(Order).where(Order.client_id == client["id"]).order_by(Order.id.desc())
        )
        assert item["result"]["id"] == latest.id and latest.user_id == user.id
        db.session.remove()
    errors.assert_none(ignore=(r"net::ERR_",))


def test_back_and_a_reopened_tab_show_whole_pages_offline(
    proxied_context, proxied_server, errors, phone
):
    page = phone
    page.goto("/orders/")
    page.locator(".order-chips a", has_text="Bloqueado").click()  # an htmx swap, URL pushed
    expect(page).to_have_url(re.compile(r"/orders/\?status=blocked$"))
    page.goto("/clients/")
    expect(page.locator("#results")).to_be_visible()

    go_offline(proxied_context, proxied_server)
    page.go_back()

    # htmx keeps no history copy: the back button loads the whole page, here the worker's
    # (this list was never loaded whole, so the offline app's "not available" view).
    expect(page).to_have_url(re.compile(r"/orders/\?status=blocked$"))
    expect(page.locator("#offline-view")).to_have_attribute("data-route", "unavailable")
    expect(page.locator("header.topbar")).to_be_visible()
    expect(page.locator("nav.bottomnav")).to_be_visible()
    assert page.evaluate("() => localStorage.length") == 0  # no client data or tokens there

    # The client list reopened in a new tab: the offline list, whole, from the phone's copy.
    page.close()
    page = watched_page(proxied_context, errors)
    page.goto("/clients/")
    expect(page.locator("#offline-view")).to_have_attribute("data-route", "clients")
    expect(page.locator("header.topbar")).to_be_visible()
    expect(page.locator("#client-results a[data-client-row]").first).to_be_visible()
    errors.assert_none(ignore=(r"net::ERR_",))


def test_a_session_that_expired_offline_keeps_the_queue_until_sign_in(
    proxied_context, proxied_server, live_app, errors, phone
):
    page = phone
    client, before = a_client(page, live_app)
    go_offline(proxied_context, proxied_server)
    page.goto(f"/clients/{client['id']}")
    page.locator("#note-text").fill("Dejó el pedido para el jueves.")
    page.get_by_role("button", name="Agregar nota").click()

    # The session ends while the phone is offline; the network comes back.
    proxied_context.clear_cookies()
    go_online(proxied_context, proxied_server)
    wait_for_first_item(page, 'item.state === "signin"')
    assert counts(live_app, [client["id"]]) == before
    page.goto("/sync/")
    expect(page).to_have_url(re.compile(r"/login"))

    # Signed in again, the queue goes on its own, once.
    fill_login_form(page, "vendedor1", "demo1234")
    page.wait_for_url(lambda url: "/login" not in url)
    assert page.evaluate(SETTLED) == 1
    assert counts(live_app, [client["id"]]) == {**before, "notes": before["notes"] + 1}
    errors.assert_none(ignore=(r"net::ERR_", r"status of 401"))


def test_signing_out_wipes_the_phones_copy(proxied_context, errors, phone):
    page = phone
    page.goto(f"/clients/{page.evaluate(CANDIDATES)[0]['id']}")  # kept in this user's cache
    page.goto("/account")
    assert page.evaluate("async () => (await caches.keys()).some((n) => n.startsWith('pages-'))")

    page.get_by_role("button", name="Cerrar sesión").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    page.wait_for_function(
        "async () => !(await caches.keys()).some((n) => /^(pages|parts)-/.test(n))"
    )
    left = page.evaluate(
        """async () => {
             const store = await import(document.documentElement.dataset.static + "js/store.js");
             return [(await store.listClients()).length, (await store.getMeta()).cursor];
           }"""
    )
    assert left == [0, None]
    errors.assert_none()


def test_pulling_the_list_down_syncs(proxied_context, errors, phone):
    page = phone
    synced = wait_for_sync(page)

    page.evaluate(
        """() => {
             const touch = (y) => new Touch({identifier: 1, target: document.body,
                                             clientX: 180, clientY: y});
             const fire = (type, y) => document.dispatchEvent(new TouchEvent(type,
               {touches: type === "touchend" ? [] : [touch(y)], changedTouches: [touch(y)],
                bubbles: true}));
             fire("touchstart", 120);
             fire("touchend", 320);
           }"""
    )

    assert wait_for_sync(page, after=synced) > synced


def test_a_server_form_posted_without_network_is_kept_and_sent_once(
    proxied_context, proxied_server, live_app, errors, phone
):
    page = phone
    client, before = a_client(page, live_app)
    page.goto(f"/collections/clients/{client['id']}/call")  # the server's own form, online
    page.locator("label:has(input[name=channel][value=phone])").click()
    page.locator("label:has(input[name=outcome][value=no_answer])").click()
    page.locator("textarea[name=notes]").fill("Sin señal en la zona.")

    proxied_server.mode = "down"  # the link drops just as the form is sent
    page.locator("form.call-form button[type=submit]").click()

    # The worker kept the post and says so on the sync page (its offline view).
    # The view says so, then drops ?kept (a reload must not say it again).
    expect(page).to_have_url(re.compile(r"/sync/(\?kept=call)?$"))
    expect(page.get_by_text("Guardado en el teléfono: se envía cuando")).to_be_visible()
    expect(page.locator("#outbox-list li[data-kind=call][data-state=pending]")).to_have_count(1)
    assert counts(live_app, [client["id"]]) == before

    go_online(proxied_context, proxied_server)
    page.evaluate(
        "async () => (await import("
        "document.documentElement.dataset.static + 'js/outbox.js')).replay()"
    )
    assert page.evaluate(SETTLED) == 1
    assert counts(live_app, [client["id"]]) == {**before, "calls": before["calls"] + 1}
    with live_app.app_context():
        call = db.session.scalar(
            sa.select(CollectionCall)
            .where(CollectionCall.client_id == client["id"])
            .order_by(CollectionCall.id.desc())
        )
        assert call.notes == "Sin señal en la zona."
        db.session.remove()
    errors.assert_none(ignore=(r"net::ERR_",))


def test_a_kept_server_form_the_server_refuses_shows_why(
    proxied_context, proxied_server, live_app, errors, phone
):
    page = phone
    client, before = a_client(page, live_app)
    page.goto(f"/collections/clients/{client['id']}/call")
    page.locator("label:has(input[name=channel][value=phone])").click()
    page.locator("label:has(input[name=outcome][value=promise])").click()  # no amount, no date

    proxied_server.mode = "down"
    page.locator("form.call-form button[type=submit]").click()
    # The view says so, then drops ?kept (a reload must not say it again).
    expect(page).to_have_url(re.compile(r"/sync/(\?kept=call)?$"))
    expect(page.get_by_text("Guardado en el teléfono: se envía cuando")).to_be_visible()

    go_online(proxied_context, proxied_server)
    page.evaluate(
        "async () => (await import("
        "document.documentElement.dataset.static + 'js/outbox.js')).replay()"
    )
    assert page.evaluate(SETTLED) == 1
    (item,) = page.evaluate(ITEMS)
    assert (item["state"], item["status"]) == ("rejected", 422)
    # The server's own messages, read from the form page it answered with.
    page.reload()
    refused = page.locator("#outbox-list li[data-state=rejected]")
    expect(refused).to_contain_text("Ingresá el importe prometido.")
    assert counts(live_app, [client["id"]]) == before
    errors.assert_none(ignore=(r"net::ERR_", r"status of 422"))


def test_checking_a_pickup_person_offline(proxied_context, proxied_server, phone):
    page = phone
    found = page.evaluate(
        """async () => {
             const store = await import(document.documentElement.dataset.static + "js/store.js");
             const today = (await store.getMeta()).on;
             for (const client of await store.listClients()) {
               const pickup = client.pickups.find((p) =>
                 (!p.valid_from || p.valid_from <= today) && (!p.valid_to || p.valid_to >= today));
               if (pickup) return {client: client.id, document: pickup.document, name: pickup.name};
             }
             return null;
           }"""
    )
    assert found, "the demo data needs an authorised pickup person in force"
    go_offline(proxied_context, proxied_server)
    open_offline(page, f"/clients/{found['client']}/pickups/verify", "pickups")

    page.locator("#document").fill(found["document"])
    page.get_by_role("button", name="Verificar", exact=True).click()
    expect(page.locator("#verdict [data-verdict=allowed]")).to_contain_text(found["name"])

    page.locator("#document").fill("99999999")
    page.get_by_role("button", name="Verificar", exact=True).click()
    expect(page.locator("#verdict [data-verdict=refused]")).to_contain_text("No autorizado")
    expect(page.locator("#verdict [data-verdict=allowed]")).to_be_hidden()


# Run in the service worker: its background-sync tags and the states of its outbox's items.
WAITING_OUTBOX = """async () => {
  const ask = (request) => new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const db = await ask(indexedDB.open("clientes-en-ruta"));
  const items = await ask(db.transaction("outbox").objectStore("outbox").getAll());
  db.close();
  return { tags: await self.registration.sync.getTags(), states: items.map((i) => i.state) };
}"""


def test_background_sync_sends_the_outbox_with_no_page_of_the_app_open(
    proxied_context, proxied_server, live_app, errors, phone
):
    page = phone
    client, before = a_client(page, live_app)
    go_offline(proxied_context, proxied_server)
    open_offline(page, f"/clients/{client['id']}", "card")
    expect(page.locator("#offline-view")).to_have_attribute("data-ready", "true")
    page.locator("#note-text").fill("Dejar la mercadería en el depósito del fondo.")
    page.get_by_role("button", name="Agregar nota").click()
    wait_for_first_item(page, 'item.state === "pending"')
    tags = page.evaluate("async () => (await navigator.serviceWorker.ready).sync.getTags()")
    assert "outbox" in tags  # the phone asked the browser to wake the worker later

    # Every tab of the app is closed. The line works again but the browser still thinks it is
    # offline: nothing is sent. When the browser sees the network, Chromium wakes the worker
    # with the "outbox" sync event, and the worker (the only one left to do it) sends it.
    page.close()
    proxied_server.mode = "up"
    # The worker still holds the note, its sync tag waiting for the browser's event: the
    # server has not seen it.
    [worker] = proxied_context.service_workers
    assert worker.evaluate(WAITING_OUTBOX) == {"tags": ["outbox"], "states": ["pending"]}
    assert not any(r.path.endswith("/notes") for r in proxied_server.requests)
    assert counts(live_app, [client["id"]]) == before
    proxied_context.set_offline(False)
    deadline = time.monotonic() + 30
    while counts(live_app, [client["id"]]) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert counts(live_app, [client["id"]]) == {**before, "notes": before["notes"] + 1}
    page = watched_page(proxied_context, errors)
    page.goto("/sync/")
    expect(page.locator("#sent-list li[data-state=done]")).to_have_count(1)
    errors.assert_none(ignore=(r"net::ERR_",))


def test_a_receipt_of_cash_and_a_cheque_taken_offline(
    proxied_context, proxied_server, live_app, errors, phone
):
    page = phone
    client, _before = a_client(page, live_app)
    go_offline(proxied_context, proxied_server)
    open_offline(page, f"/collections/clients/{client['id']}/receipt", "receipt")
    page.locator("#receipt-amount-0").fill("15.000")
    page.get_by_role("button", name="Agregar otra forma de pago").click()
    second = page.locator("[data-line]").nth(1)
    expect(second.locator("legend")).to_have_text("Forma de pago 2")
    second.locator("select.pay-kind").select_option("third_party_check")
    second.locator("#receipt-amount-1").fill("32.450,50")
    expect(page.locator("[data-slot=receipt-total]")).to_contain_text("47.450,50")
    second.locator("#receipt-bank-1").fill("Banco Nación")

    # A cheque without its number: the message is under that field of that line.
    page.get_by_role("button", name="Registrar cobro").click()
    expect(page.locator('[data-error="lines.1.number"]')).to_be_visible()
    expect(page.locator('[data-error="lines.0.amount"]')).to_be_hidden()
    assert page.evaluate(ITEMS) == []

    second.locator("#receipt-number-1").fill("00012345")
    second.locator("#receipt-due_date-1").fill(date.today().isoformat())
    second.locator("#receipt-drawer-1").fill("Almacén Don Pepe")
    second.locator("#receipt-drawer_tax_id-1").fill("20-12345678-6")
    # A third line added and removed again leaves two.
    page.get_by_role("button", name="Agregar otra forma de pago").click()
    page.locator("[data-line]").nth(2).get_by_role(
        "button", name="Quitar esta forma de pago"
    ).click()
    expect(page.locator("[data-line]")).to_have_count(2)
    page.get_by_role("button", name="Registrar cobro").click()
    wait_for_saved_card(page, client["id"])

    go_online(proxied_context, proxied_server)
    assert page.evaluate(SETTLED) == 1
    with live_app.app_context():
        receipt = db.session.scalars(
            sa.select(FieldReceipt)
            .where(FieldReceipt.client_id == client["id"])
            .order_by(FieldReceipt.id.desc())
        ).first()
        lines = [(line["kind"], line["amount"]) for line in receipt.data["lines"]]
        total = receipt.total
        db.session.remove()
    assert lines == [("cash", "15000.00"), ("third_party_check", "32450.50")]
    assert total == Decimal("47450.50")
    errors.assert_none(ignore=(r"net::ERR_",))


def test_a_clients_purchases_read_offline(proxied_context, proxied_server, phone):
    page = phone
    found = page.evaluate(
        """async () => {
             const store = await import(document.documentElement.dataset.static + "js/store.js");
             const client = (await store.listClients()).find(
               (c) => c.purchases && c.purchases.products.length > 1);
             return client && {id: client.id, bought: client.purchases};
           }"""
    )
    assert found, "the demo data needs a client of vendedor1 with purchases"
    online = page.goto(f"/clients/{found['id']}")
    assert online.ok
    first = page.locator("#compras .purchase-list li").first.inner_text()
    go_offline(proxied_context, proxied_server)
    open_offline(page, f"/clients/{found['id']}", "card")
    section = page.locator("#purchases")
    expect(section).to_be_visible()
    rows = section.locator(".purchase-list li")
    expect(rows).to_have_count(len(found["bought"]["products"]))
    # the phone's copy reads as the server's card does: the same first product and amount
    assert rows.first.inner_text() == first
    expect(section.locator("[data-slot=year]")).to_contain_text("Últimos 12 meses: $")
    stopped = section.locator("[data-slot=stopped] li")
    expect(stopped).to_have_count(len(found["bought"]["stopped"]))
