"""Cases written with no network reach the server once (a proxy between Chromium and the
server cuts it): the server's new-case form opened with signal and sent without it, and the
offline form opened from the card the phone draws, each arrive exactly once, also when the
outbox is sent again."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.models import User
from app.cases.models import Case
from app.clients.models import Client
from app.extensions import db
from tests.e2e.conftest import watched_page
from tests.e2e.test_offline import ITEMS, SETTLED, go_offline, go_online, sign_in_and_sync

pytestmark = pytest.mark.e2e

REPLAY_AGAIN = """async () => {
  const { openStore } = await import(document.documentElement.dataset.static + "js/store.js");
  const db = await openStore();
  for (const item of await db.getAll("outbox")) {
    await db.put("outbox", {...item, state: "pending", next_try_at: 0});
  }
  const outbox = await import(document.documentElement.dataset.static + "js/outbox.js");
  return outbox.replay();
}"""


SYNC_NOW = """async () => {
  const sync = await import(document.documentElement.dataset.static + "js/sync.js");
  return sync.syncNow();
}"""


def a_client_of(live_app, username: str) -> int:
    """One of the demo's clients of this salesperson."""
    with live_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        client_id = db.session.scalar(
            sa.select(Client.id)
            .where(Client.salesperson_id == user.id, Client.deleted_at.is_(None))
            .where(Client.code.not_like("E2E%"))
            .order_by(Client.id.desc())
            .limit(1)
        )
        db.session.remove()
    return client_id


def cases_of(live_app, client_id: int) -> list[tuple[str, str, str]]:
    """(kind, subject, state) of the client's cases in the server's database, oldest first."""
    with live_app.app_context():
        rows = db.session.execute(
            sa.select(Case.kind, Case.subject, Case.state)
            .where(Case.client_id == client_id)
            .order_by(Case.id)
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def fill_case(page, kind: str, subject: str, description: str) -> None:
    page.locator(f"label:has(input[name=kind][value={kind}])").click()
    page.locator("#case-subject").fill(subject)
    page.locator("#case-description").fill(description)
    page.get_by_role("button", name="Abrir caso").click()


def test_claims_written_offline_arrive_once(proxied_context, proxied_server, live_app, errors):
    context, proxy = proxied_context, proxied_server
    page = watched_page(context, errors)
    sign_in_and_sync(page)
    client_id = a_client_of(live_app, "vendedor1")
    before = cases_of(live_app, client_id)
    form = f"/cases/new?client_id={client_id}"

    # The form opened with signal; the signal goes before it is sent.
    page.goto(form)
    expect(page.locator("#case-subject")).to_be_visible()
    go_offline(context, proxy)
    fill_case(page, "claim", "Faltaron 3 cajas de agua", "El remito dice 12, llegaron 9.")
    expect(page).to_have_url(re.compile(r"/sync/$"))
    expect(page.locator("#offline-view")).to_have_attribute("data-route", "status")

    # Still offline: from the card the phone draws, the offline form, with a key of its own.
    page.goto(f"/clients/{client_id}")
    expect(page.locator("#offline-view")).to_have_attribute("data-route", "card")
    page.locator("#offline-view [data-action=case]").click()
    expect(page.locator("#offline-view")).to_have_attribute("data-route", "case")
    page.get_by_role("button", name="Abrir caso").click()  # nothing chosen: the phone says so
    expect(page.locator("[data-error=kind]")).to_have_text("Elegí el tipo de caso.")
    expect(page.locator("[data-error=subject]")).to_have_text("Escribí el asunto.")
    fill_case(page, "return", "Devuelve 2 packs de leche", "Vencidos.")
    expect(page).to_have_url(re.compile(rf"/clients/{client_id}(\?saved=\w+)?$"))
    expect(page.locator("#offline-view[data-route=card] [data-slot=saved]")).not_to_be_empty()

    items = page.evaluate(ITEMS)
    assert [(i["kind"], i["state"], i["client_id"]) for i in items] == [
        ("case", "pending", client_id),
        ("case", "pending", client_id),
    ]
    assert cases_of(live_app, client_id) == before  # nothing reached the server

    # Back online: the outbox goes by itself, once.
    go_online(context, proxy)
    assert page.evaluate(SETTLED) == 2
    assert [i["state"] for i in page.evaluate(ITEMS)] == ["done", "done"]
    arrived = [
        ("claim", "Faltaron 3 cajas de agua", "open"),
        ("return", "Devuelve 2 packs de leche", "open"),
    ]
    assert cases_of(live_app, client_id) == before + arrived

    # The same outbox sent again (a phone restored from a backup): nothing new.
    page.evaluate(REPLAY_AGAIN)
    assert page.evaluate(SETTLED) == 2
    assert [i["state"] for i in page.evaluate(ITEMS)] == ["done", "done"]
    assert cases_of(live_app, client_id) == before + arrived

    # The next sync brings them to the phone: offline, the card lists them.
    page.evaluate(SYNC_NOW)
    go_offline(context, proxy)
    page.goto(f"/clients/{client_id}")
    expect(page.locator("#offline-view")).to_have_attribute("data-route", "card")
    rows = page.locator("#offline-view #cases [data-case]")
    expect(rows.filter(has_text="Faltaron 3 cajas de agua")).to_have_count(1)
    expect(rows.filter(has_text="Devuelve 2 packs de leche")).to_contain_text("Devolución")
    go_online(context, proxy)

    # Online, the list and the case page say who opened it.
    page.goto(f"/cases/?client_id={client_id}")
    expect(page.locator(".case-list")).to_contain_text("Faltaron 3 cajas de agua")
    page.locator(".case-list a", has_text="Faltaron 3 cajas de agua").click()
    expect(page.locator("h1")).to_have_text("Faltaron 3 cajas de agua")
    expect(page.locator(".case-history")).to_contain_text("Caso abierto")
    errors.assert_none(ignore=(r"net::ERR_", r"status of 50\d"))
