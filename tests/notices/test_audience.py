"""A notice speaks to everyone, to sales or to collections: a sales promotion is not shown to
a collector (card, API, the phone's copy), a collections note not to a salesperson."""

import sqlalchemy as sa

from app.core.types import local_today
from app.extensions import db
from app.notices.models import Notice
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.conftest import csrf_from


def notice(client, message: str, audience: str) -> Notice:
    row = Notice(
        message=message,
        severity="info",
        audience=audience,
        valid_from=local_today(),
        target_kind="client",
        target_id=client.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_each_role_reads_the_notices_that_speak_to_it(api, login_as):  # noqa: F811
    seller = api("salesperson")
    collector = api("collector")
    shop = factories.make_client(salesperson_id=seller.user.id, collector_id=collector.user.id)
    notice(shop, "5 % extra en gaseosas esta semana", "sales")
    notice(shop, "Cobrar solo en efectivo", "collections")
    notice(shop, "Cerrado por inventario el lunes", "all")
    db.session.commit()

    def messages(caller, path):
        return sorted(n["message"] for n in caller.get(path).json["items"])

    url = f"/api/v1/clients/{shop.id}/notices"
    assert messages(seller, url) == [
        "5 % extra en gaseosas esta semana",
        "Cerrado por inventario el lunes",
    ]
    assert messages(collector, url) == [
        "Cerrado por inventario el lunes",
        "Cobrar solo en efectivo",
    ]
    synced = collector.get("/api/v1/sync").json["clients"][0]["notices"]
    assert sorted(n["message"] for n in synced) == [
        "Cerrado por inventario el lunes",
        "Cobrar solo en efectivo",
    ]
    office = login_as("backoffice")
    card = office.get(f"/clients/{shop.id}").get_data(as_text=True)
    assert all(
        text in card
        for text in ("5 % extra en gaseosas", "Cobrar solo en efectivo", "Cerrado por inventario")
    )


def test_the_office_sets_the_audience_and_a_wrong_one_is_refused(login_as):
    office = login_as("backoffice")
    shop = factories.make_client()
    db.session.commit()
    page = office.get(f"/notices/new?client_id={shop.id}").get_data(as_text=True)
    assert "Para quiénes de la empresa" in page
    base = {
        "csrf_token": csrf_from(page),
        "message": "Promo yerba",
        "severity": "info",
        "valid_from": local_today().isoformat(),
        "target_kind": "client",
        "target_id": str(shop.id),
    }
    refused = office.client.post("/notices/new", data=base | {"audience": "everybody"})
    assert refused.status_code == 422
    assert "Elegí a quiénes de la empresa les habla el aviso." in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0
    saved = office.client.post("/notices/new", data=base | {"audience": "sales"})
    assert saved.status_code in (302, 303)
    assert db.session.scalar(sa.select(Notice.audience)) == "sales"
