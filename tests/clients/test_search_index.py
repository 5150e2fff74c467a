"""The client search through its trigram index: a renamed, new or erased client is found
(or not) at once, by rare and common words alike, in name order."""

import sqlalchemy as sa

from app.auth.models import User
from app.clients import services
from app.clients.models import Client
from app.extensions import db
from tests import factories


def _found(user: User, text: str) -> list[str]:
    query = services.sort_clients(
        services.search_clients(services.scoped_clients(user), text), "name"
    )
    return [client.code for client in db.session.scalars(query)]


def test_a_renamed_client_is_found_by_its_new_name_only(app):
    office = factories.make_user("backoffice")
    client = factories.make_client(code="ZQ1", trade_name="Almacén Quebracho")
    db.session.commit()
    assert _found(office, "quebracho") == ["ZQ1"]
    client.trade_name = "Almacén Lapacho"
    db.session.commit()
    assert _found(office, "quebracho") == []
    assert _found(office, "lapacho almacen") == ["ZQ1"]


def test_an_erased_client_leaves_the_index(app):
    office = factories.make_user("backoffice")
    client = factories.make_client(code="ZQ2", trade_name="Despensa Ñandubay")
    db.session.commit()
    assert _found(office, "ñandubay") == ["ZQ2"]
    db.session.execute(sa.delete(Client).where(Client.id == client.id))
    db.session.commit()
    assert _found(office, "nandubay") == []


def test_a_common_word_pages_in_name_order_as_a_rare_one(app, monkeypatch):
    office = factories.make_user("backoffice")
    for code, name in [("ZQ5", "Kiosco Zeta"), ("ZQ3", "Kiosco Alfa"), ("ZQ4", "Kiosco Beta")]:
        factories.make_client(code=code, trade_name=f"{name} Tilo")
    db.session.commit()
    rare = _found(office, "tilo kiosco")
    monkeypatch.setattr(services, "RARE_MATCHES", 1)  # every word counts as common now
    assert _found(office, "tilo kiosco") == rare == ["ZQ3", "ZQ4", "ZQ5"]
