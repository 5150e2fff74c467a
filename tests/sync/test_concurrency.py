"""A burst of concurrent writers: every write lands, none gets "database is locked"."""

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from app.clients.models import ClientNote
from app.extensions import db
from tests import factories
from tests.conftest import Browser, csrf_from

WRITERS = 6
NOTES_EACH = 5


def test_concurrent_writers_all_succeed(app):
    client = factories.make_client()
    people = [factories.make_user("backoffice") for _ in range(WRITERS)]
    db.session.commit()
    card = f"/clients/{client.id}"
    browsers = []
    for person in people:
        browser = Browser(app.test_client())
        assert browser.login(person.username).status_code == 303
        browsers.append(browser)

    def write_notes(browser: Browser) -> list[int]:
        token = csrf_from(browser.get(card).get_data(as_text=True))
        return [
            browser.client.post(
                f"{card}/notes", data={"csrf_token": token, "text": f"nota {n}"}
            ).status_code
            for n in range(NOTES_EACH)
        ]

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        statuses = [s for result in pool.map(write_notes, browsers) for s in result]

    assert statuses == [303] * (WRITERS * NOTES_EACH)
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(ClientNote).where(ClientNote.client_id == client.id)
    )
    assert count == WRITERS * NOTES_EACH
