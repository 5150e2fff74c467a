"""GET /api/v1/sync: first sync, deltas by cursor, tombstones, pages, gzip, bounded queries."""

import gzip
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.auth import services as users
from app.clients import services as clients
from app.clients.models import ClientNote, Contact, Segment
from app.core.types import local_today, utcnow
from app.credit import services as credit
from app.credit.models import CreditPolicy
from app.extensions import db
from app.notices import services as notices
from app.orders import services as orders
from app.sync import feed
from app.taxes.models import IibbJurisdiction, IibbRate
from app.taxes.rates_import import format_arba_line, import_rates
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)

SYNC = "/api/v1/sync"


def sync(caller, since: str | None = None) -> dict:
    """One page of the caller's sync, asserted to be a 200."""
    answer = caller.get(SYNC if since is None else f"{SYNC}?since={since}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def ids(body: dict) -> list[int]:
    """The ids of the clients a page carries."""
    return [entry["id"] for entry in body["clients"]]


def contact(client, name: str = "Juana Pérez") -> Contact:
    """A contact of the client."""
    row = Contact(client_id=client.id, name=name, phone="11 4444-5555")
    db.session.add(row)
    db.session.flush()
    return row


def notice_for(target, kind: str, author, message: str = "Cobrar antes de vender"):
    """A notice in force from today, written through the service (with its audit row)."""
    values = {
        "message": message,
        "severity": "important",
        "valid_from": local_today(),
        "valid_to": None,
        "target_kind": kind,
        "target_id": target.id,
    }
    return notices.create_notice(values, author)


def test_first_sync_brings_the_salespersons_clients_with_what_order_time_needs(api):  # noqa: F811
    seller = api("salesperson")
    other = factories.make_user("salesperson")
    zone = factories.make_zone(name="Centro")
    limits = CreditPolicy(
        code="P1", name="Minoristas", money_limit=Decimal("1000"), max_age_days=30
    )
    db.session.add(limits)
    db.session.flush()
    mine = factories.make_client(
        salesperson_id=seller.user.id, sales_zone_id=zone.id, credit_policy_id=limits.id
    )
    collected = factories.make_client(collector_id=seller.user.id)
    factories.make_client(salesperson_id=other.id)  # someone else's
    factories.make_client(salesperson_id=seller.user.id, deleted_at=utcnow())  # in the trash
    contact(mine)
    invoice = factories.post_document(mine, amount="800", date=local_today() - timedelta(days=10))
    notice_for(zone, "zone", seller.user)
    db.session.commit()

    body = sync(seller)

    assert body["full"] is True and body["more"] is False and body["tombstones"] == []
    assert ids(body) == [mine.id, collected.id]
    card = body["clients"][0]
    assert (card["code"], card["legal_name"], card["sales_zone"]["name"]) == (
        mine.code,
        mine.legal_name,
        "Centro",
    )
    assert card["credit"] == {
        "state": "active", "credit_blocked": False, "deleted": False,
        "limits": {"money": "1000.00", "documents": None, "age_days": 30},
        "balance": "800.00", "pending_orders": "0.00", "pending_documents": 0,
        "unpaid_dates": [invoice.date.isoformat()], "family": None,
        "own_limits": {"money": None, "documents": None, "age_days": None},
        "assigned": [{"source": "client", "name": "Minoristas", "holder": "",
                      "limits": {"money": "1000.00", "documents": None, "age_days": 30}}],
        "sources": {"money": "client", "age_days": "client"},
        "why": {"money": "política propia del cliente", "age_days": "política propia del cliente"},
    }  # fmt: skip
    assert card["balances"] == {"ARS": "800.00"}
    (item,) = card["open_items"]
    assert (item["document_id"], item["open_amount"], item["title"]) == (
        invoice.id,
        "800.00",
        "FC " + " ".join(filter(None, [invoice.letter, invoice.number])),
    )
    assert [c["name"] for c in card["contacts"]] == ["Juana Pérez"]
    assert [n["message"] for n in card["notices"]] == ["Cobrar antes de vender"]
    assert card["notices"][0]["target"] == f"Zona de venta: {zone.code} · Centro"
    assert "current_account" in card["payment_methods"]
    assert body["clients"][1]["notices"] == [] and body["clients"][1]["open_items"] == []
    since, tag = body["cursor"].split(".")
    assert int(since) > 0 and tag == feed.scope_tag(seller.user)


def test_a_supervisor_syncs_the_clients_of_the_team(api):  # noqa: F811
    boss = api("supervisor")
    member = factories.make_user("salesperson", supervisor_id=boss.user.id)
    outsider = factories.make_user("salesperson")
    team = [factories.make_client(salesperson_id=member.id) for _ in range(2)]
    own = factories.make_client(salesperson_id=boss.user.id)
    factories.make_client(salesperson_id=outsider.id)
    db.session.commit()
    assert ids(sync(boss)) == sorted([*(c.id for c in team), own.id])


def test_without_changes_the_next_sync_brings_nothing(api):  # noqa: F811
    seller = api("salesperson")
    factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    cursor = sync(seller)["cursor"]
    again = sync(seller, cursor)
    assert again["clients"] == [] and again["tombstones"] == []
    assert again["more"] is False and again["full"] is False
    assert again["cursor"] == cursor
    assert again["catalogue"] == {
        "products": [], "price_lists": [], "prices": [], "promotions": [], "volume_discounts": [],
        "sale_conditions": [], "visit_reasons": [], "jurisdictions": [],
    }  # fmt: skip


def test_a_delta_brings_only_the_clients_touched(api):  # noqa: F811
    seller = api("salesperson")
    zone = factories.make_zone()
    a, b, c, d = (factories.make_client(salesperson_id=seller.user.id) for _ in range(4))
    d.sales_zone_id = zone.id
    person = contact(a)
    db.session.commit()
    cursor = sync(seller)["cursor"]

    person.phone = "11 5555-0000"
    db.session.commit()
    body = sync(seller, cursor)
    assert ids(body) == [a.id]
    assert body["clients"][0]["contacts"][0]["phone"] == "11 5555-0000"

    factories.post_document(b, amount="150")
    db.session.commit()
    body = sync(seller, body["cursor"])
    assert ids(body) == [b.id]
    assert body["clients"][0]["balances"] == {"ARS": "150.00"}

    notice_for(zone, "zone", seller.user, "Ofrecer promo 3x2")
    db.session.commit()
    body = sync(seller, body["cursor"])
    assert ids(body) == [d.id]
    assert [n["message"] for n in body["clients"][0]["notices"]] == ["Ofrecer promo 3x2"]
    assert c.id not in ids(body) and body["tombstones"] == []


def test_a_notice_moved_to_another_zone_leaves_the_first_zones_clients(api):  # noqa: F811
    seller = api("salesperson")
    north, south = factories.make_zone(), factories.make_zone()
    up = factories.make_client(salesperson_id=seller.user.id, sales_zone_id=north.id)
    down = factories.make_client(salesperson_id=seller.user.id, sales_zone_id=south.id)
    notice = notice_for(north, "zone", seller.user)
    db.session.commit()
    cursor = sync(seller)["cursor"]

    values = {name: getattr(notice, name) for name in notices.FIELDS} | {"target_id": south.id}
    notices.update_notice(notice, values, seller.user)
    db.session.commit()
    body = sync(seller, cursor)
    assert ids(body) == [up.id, down.id]
    assert [len(entry["notices"]) for entry in body["clients"]] == [0, 1]


def test_a_new_policy_limit_reaches_the_clients_of_the_type(api):  # noqa: F811
    seller = api("salesperson")
    policy = CreditPolicy(code="P2", name="Mayoristas", money_limit=Decimal("5000"))
    db.session.add(policy)
    db.session.flush()
    kind = factories.make_client_type(credit_policy_id=policy.id)
    typed = factories.make_client(salesperson_id=seller.user.id, client_type_id=kind.id)
    factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    cursor = sync(seller)["cursor"]
    policy.money_limit = Decimal("7000")
    db.session.commit()
    body = sync(seller, cursor)
    assert ids(body) == [typed.id]
    assert body["clients"][0]["credit"]["limits"]["money"] == "7000.00"


def test_reassigning_a_client_tombstones_it_for_one_and_brings_it_to_the_other(api):  # noqa: F811
    first, second = api("salesperson"), api("salesperson")
    moved = factories.make_client(salesperson_id=first.user.id)
    kept = factories.make_client(salesperson_id=first.user.id)
    db.session.commit()
    before = sync(first)
    assert ids(before) == [moved.id, kept.id]
    cursors = [before["cursor"], sync(second)["cursor"]]

    clients.update_client(moved, {"salesperson_id": second.user.id})
    db.session.commit()
    lost = sync(first, cursors[0])
    assert lost["clients"] == [] and lost["tombstones"] == [moved.id]
    gained = sync(second, cursors[1])
    assert ids(gained) == [moved.id] and gained["tombstones"] == []


def test_trashing_a_client_gives_a_tombstone(api):  # noqa: F811
    seller = api("salesperson")
    doomed = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    cursor = sync(seller)["cursor"]
    clients.trash_client(doomed)
    db.session.commit()
    body = sync(seller, cursor)
    assert body["clients"] == [] and body["tombstones"] == [doomed.id]


def test_others_clients_touched_elsewhere_are_not_named(api):  # noqa: F811
    seller = api("salesperson")
    theirs = factories.make_client(salesperson_id=factories.make_user("salesperson").id)
    db.session.commit()
    cursor = sync(seller)["cursor"]
    contact(theirs)
    factories.post_document(theirs, amount="10")
    db.session.commit()
    body = sync(seller, cursor)
    assert body["clients"] == [] and body["tombstones"] == []
    clients.trash_client(theirs)
    db.session.commit()
    assert sync(seller, body["cursor"])["tombstones"] == []


def walk(caller, since: str | None = None) -> tuple[list[dict], str]:
    """Follow the pages of a sync to its end: every page and the final cursor."""
    pages = [sync(caller, since)]
    while pages[-1]["more"]:
        assert len(pages) < 50, "the pages never end"
        pages.append(sync(caller, pages[-1]["cursor"]))
    return pages, pages[-1]["cursor"]


def test_pages_walk_every_client_once(app, api, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "SYNC_PAGE_SIZE", 3)
    seller = api("salesperson")
    made = [factories.make_client(salesperson_id=seller.user.id).id for _ in range(8)]
    db.session.commit()
    pages, cursor = walk(seller)
    assert [len(page["clients"]) for page in pages] == [3, 3, 2]
    assert [page["more"] for page in pages] == [True, True, False]
    assert [id_ for page in pages for id_ in ids(page)] == made
    assert pages[0]["catalogue"] is not None
    assert [page["catalogue"] for page in pages[1:]] == [None, None]
    assert all(page["full"] for page in pages)
    assert re.fullmatch(r"\d+\.[0-9a-f]{8}", cursor)
    assert all(re.fullmatch(r"\d+-\d+-\d+\.[0-9a-f]{8}", page["cursor"]) for page in pages[:-1])
    # a delta pages too
    for client_id in made:
        db.session.add(Contact(client_id=client_id, name="Nuevo contacto"))
    db.session.commit()
    pages, _cursor = walk(seller, cursor)
    assert [id_ for page in pages for id_ in ids(page)] == made
    assert not any(page["full"] for page in pages)


def test_a_change_made_between_pages_shows_in_the_next_delta(app, api, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "SYNC_PAGE_SIZE", 2)
    seller = api("salesperson")
    made = [factories.make_client(salesperson_id=seller.user.id) for _ in range(5)]
    db.session.commit()
    first = sync(seller)
    assert ids(first) == [made[0].id, made[1].id]
    contact(made[0], "Llegó tarde")  # already sent
    db.session.commit()
    _pages, cursor = walk(seller, first["cursor"])
    delta = sync(seller, cursor)
    assert made[0].id in ids(delta)
    card = next(entry for entry in delta["clients"] if entry["id"] == made[0].id)
    assert [c["name"] for c in card["contacts"]] == ["Llegó tarde"]


def test_the_answer_is_gzipped_when_asked(api):  # noqa: F811
    seller = api("salesperson")
    for _ in range(5):
        factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    packed = seller.get(SYNC, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    body = json.loads(gzip.decompress(packed.get_data()))
    assert len(body["clients"]) == 5
    plain = seller.get(SYNC)
    assert "Content-Encoding" not in plain.headers
    assert plain.json["clients"] == body["clients"]
    assert len(packed.get_data()) < len(plain.get_data()) / 3


@pytest.mark.parametrize(
    "cursor", ["abc", "-1", "5-3-1", "1-2-0", "99999999", "1.5", "1", "1.00000000", "1-2-1"]
)
def test_a_bad_cursor_is_a_422_in_spanish(api, cursor):  # noqa: F811
    seller = api("salesperson")
    answer = seller.get(f"{SYNC}?since={cursor}")
    assert answer.status_code == 422
    error = answer.json["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["since"] == [
        "El cursor de sincronización no es válido: sincronizá de cero."
    ]


def test_signed_out_is_a_401(client):
    assert client.get(SYNC).status_code == 401


def test_the_catalogue_goes_whole_first_then_by_change(api):  # noqa: F811
    seller = api("salesperson")
    prices = factories.make_price_list()
    sold = factories.make_product(prices, "100")
    factories.make_product(prices, "50", active=False)
    factories.make_client(salesperson_id=seller.user.id, price_list_id=prices.id)
    db.session.commit()
    first = sync(seller)["catalogue"]
    assert [p["code"] for p in first["products"]] == [sold.code]
    assert [(p["product_id"], p["price"]) for p in first["prices"]] == [
        (sold.id, "100.00"),
        (sold.id + 1, "50.00"),
    ]
    assert [pl["code"] for pl in first["price_lists"]] == [prices.code]
    cursor = sync(seller)["cursor"]

    sold.active = False
    db.session.commit()
    delta = sync(seller, cursor)["catalogue"]
    assert [(p["id"], p["active"], p["deleted"]) for p in delta["products"]] == [
        (sold.id, False, False)
    ]
    assert delta["prices"] == [] and delta["price_lists"] == []


def arba(**fields) -> IibbJurisdiction:
    """The Buenos Aires jurisdiction: 6 % for CUITs outside its registry, from $ 50."""
    values = {
        "code": "902",
        "name": "Buenos Aires",
        "province": "Buenos Aires",
        "default_rate": Decimal("6.00"),
        "minimum_amount": Decimal("50.00"),
    }
    jurisdiction = IibbJurisdiction(**(values | fields))
    db.session.add(jurisdiction)
    db.session.flush()
    return jurisdiction


def registry_row(jurisdiction, tax_id: str, rate: str, start, end) -> IibbRate:
    """A registry row for a CUIT, published the day before it starts."""
    row = IibbRate(
        jurisdiction_id=jurisdiction.id,
        tax_id=tax_id,
        published_on=start - timedelta(days=1),
        valid_from=start,
        valid_to=end,
        rate=Decimal(rate),
        contributor_type="D",
        rate_group="01",
    )
    db.session.add(row)
    return row


def test_a_supervisor_whose_team_changes_syncs_again_from_zero(api):  # noqa: F811
    boss, other_boss = api("supervisor"), api("supervisor")
    member = factories.make_user("salesperson", supervisor_id=boss.user.id)
    newcomer = factories.make_user("salesperson", supervisor_id=other_boss.user.id)
    kept = factories.make_client(salesperson_id=member.id)
    moved = factories.make_client(salesperson_id=newcomer.id)
    db.session.commit()
    cursors = [sync(caller)["cursor"] for caller in (boss, other_boss)]
    assert sync(boss, cursors[0])["clients"] == []

    # The newcomer changes teams: no client changed, but two supervisors' scopes did.
    fields = vars_of(newcomer) | {"supervisor_id": boss.user.id}
    users.update_user(newcomer, users.UserData(**fields))
    db.session.commit()

    for caller, cursor in zip((boss, other_boss), cursors, strict=True):
        assert caller.get(f"{SYNC}?since={cursor}").status_code == 422
    # What the phone does on a 422: start over, replacing its copy.
    gained, lost = sync(boss), sync(other_boss)
    assert gained["full"] is True and ids(gained) == sorted([kept.id, moved.id])
    assert lost["full"] is True and ids(lost) == []
    # A salesperson's scope is theirs alone: a team change leaves their cursor good.
    assert feed.scope_tag(newcomer) == feed.scope_tag(member)


def vars_of(user) -> dict:
    """A user's editable fields, as the user admin form sends them."""
    return {name: getattr(user, name) for name in users.UserData.__dataclass_fields__}


def test_a_client_carries_what_its_order_total_needs(api):  # noqa: F811
    seller = api("salesperson")
    today = local_today()
    cash = factories.make_sale_condition(code="CONT", rule_days=0, discount_pct=Decimal("3"))
    thirty = factories.make_sale_condition(code="30D")
    kind = factories.make_client_type(discount_pct=Decimal("5"), default_sale_condition_id=cash.id)
    own = factories.make_client(
        salesperson_id=seller.user.id, client_type_id=kind.id, sale_condition_id=thirty.id
    )
    typed = factories.make_client(
        salesperson_id=seller.user.id, client_type_id=kind.id, iibb_multilateral=True
    )
    bare = factories.make_client(salesperson_id=seller.user.id)
    province = arba()
    arba(code="901", name="CABA", province="CABA", active=False)  # an inactive one stays home
    registry_row(
        province, own.tax_id, "0.00", today - timedelta(days=40), today - timedelta(days=10)
    )
    now = registry_row(
        province, own.tax_id, "2.50", today - timedelta(days=9), today + timedelta(days=20)
    )
    later = registry_row(
        province, own.tax_id, "3.00", today + timedelta(days=21), today + timedelta(days=50)
    )
    db.session.commit()

    body = sync(seller)

    cards = {card["id"]: card for card in body["clients"]}
    assert (cards[own.id]["type_discount_pct"], cards[own.id]["sale_condition_id"]) == (
        "5.00",
        thirty.id,
    )
    assert (cards[typed.id]["sale_condition_id"], cards[typed.id]["iibb_multilateral"]) == (
        cash.id,
        True,
    )
    assert (cards[bare.id]["type_discount_pct"], cards[bare.id]["sale_condition_id"]) == ("0", None)
    assert cards[own.id]["iibb_rates"] == [
        {
            "jurisdiction_id": province.id,
            "rate": row.rate.to_eng_string(),
            "valid_from": row.valid_from.isoformat(),
            "valid_to": row.valid_to.isoformat(),
            "published_on": row.published_on.isoformat(),
        }
        for row in (now, later)
    ]  # the row that ended is not sent
    assert cards[typed.id]["iibb_rates"] == []
    catalogue = body["catalogue"]
    assert [
        (c["code"], c["discount_pct"], c["immediate"]) for c in catalogue["sale_conditions"]
    ] == [("CONT", "3.00", True), ("30D", "0.00", False)]
    assert catalogue["jurisdictions"] == [{
        "id": province.id, "code": "902", "name": "Buenos Aires", "province": "Buenos Aires",
        "default_rate": "6.00", "minimum_amount": "50.00", "include_multilateral": True,
    }]  # fmt: skip


def test_jurisdictions_go_whole_and_sale_conditions_by_change(api):  # noqa: F811
    seller = api("salesperson")
    factories.make_client(salesperson_id=seller.user.id)
    cash = factories.make_sale_condition(code="CONT", rule_days=0)
    province = arba()
    db.session.commit()
    cursor = sync(seller)["cursor"]

    cash.discount_pct = Decimal("4")
    province.minimum_amount = Decimal("80")
    db.session.commit()
    delta = sync(seller, cursor)["catalogue"]
    assert [(c["code"], c["discount_pct"]) for c in delta["sale_conditions"]] == [("CONT", "4.00")]
    assert [(j["code"], j["minimum_amount"]) for j in delta["jurisdictions"]] == [("902", "80.00")]


def test_a_registry_import_brings_the_clients_of_its_cuits_again(api):  # noqa: F811
    seller = api("salesperson")
    listed, dropped, unlisted = (
        factories.make_client(salesperson_id=seller.user.id) for _ in range(3)
    )
    province = arba()
    start = local_today().replace(day=1)
    end = (start + timedelta(days=40)).replace(day=1) - timedelta(days=1)
    registry_row(province, dropped.tax_id, "1.00", start, end)  # gone from the new file
    db.session.commit()
    cursor = sync(seller)["cursor"]

    line = format_arba_line({
        "published_on": start - timedelta(days=5), "valid_from": start, "valid_to": end,
        "tax_id": listed.tax_id, "contributor_type": "D", "rate": Decimal("2.50"),
        "rate_group": "05",
    })  # fmt: skip
    result = import_rates(province, [line])

    assert (result.imported, result.replaced) == (1, 1)
    delta = sync(seller, cursor)
    assert ids(delta) == sorted([listed.id, dropped.id])
    cards = {card["id"]: card for card in delta["clients"]}
    assert [r["rate"] for r in cards[listed.id]["iibb_rates"]] == ["2.50"]
    assert cards[dropped.id]["iibb_rates"] == []
    assert unlisted.id not in cards


def test_the_snapshot_is_the_one_the_credit_decision_reads(api):  # noqa: F811
    """The page's batch reading agrees with credit.services.snapshot, client by client."""
    seller = api("salesperson")
    policy = CreditPolicy(code="P3", name="Contra documento", max_documents=3, max_age_days=45)
    db.session.add(policy)
    db.session.flush()
    kind = factories.make_client_type(credit_policy_id=policy.id)
    prices = factories.make_price_list()
    product = factories.make_product(prices, "250.50")
    shown = []
    for n in range(3):
        client = factories.make_client(
            salesperson_id=seller.user.id, client_type_id=kind.id, price_list_id=prices.id
        )
        factories.post_document(client, amount=f"{100 * (n + 1)}", date=local_today())
        factories.post_receipt(client, amount="30")
        shown.append(client)
    line = {"product_id": product.id, "quantity": "2"}
    orders.place_order(
        shown[1], {"payment_method": "current_account", "lines": [line]}, seller.user
    )
    db.session.commit()
    entries = {
        entry.client.id: entry for entry in feed.client_entries(seller.user, [c.id for c in shown])
    }
    for client in shown:
        assert entries[client.id].snapshot == credit.snapshot(client)
    assert entries[shown[1].id].snapshot.pending_documents == 1


def count_statements(app, call) -> int:
    """How many SQL statements the engine runs during the call."""
    seen = []

    def listen(*_args):
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    return len(seen)


def test_a_page_takes_as_many_queries_for_50_clients_as_for_10(app, api):  # noqa: F811
    zone = factories.make_zone()
    segment = Segment(level=1, code="S1", name="Kioscos")
    db.session.add(segment)
    db.session.commit()

    def seller_with(n: int):
        caller = api("salesperson")
        for _ in range(n):
            client = factories.make_client(
                salesperson_id=caller.user.id, sales_zone_id=zone.id, segment1_id=segment.id
            )
            contact(client)
            factories.post_document(client, amount="100")
            notice_for(client, "client", caller.user)
            note = ClientNote(
                client_id=client.id, text="Atiende a la mañana", author_id=caller.user.id
            )
            db.session.add(note)
        db.session.commit()
        return caller

    small, large = seller_with(10), seller_with(50)
    notice_for(zone, "zone", small.user)
    notice_for(segment, "segment", small.user, "Exhibir la heladera")
    db.session.commit()
    sync(small)  # the zone and segment (reference rows) are cached from the first read on
    counts = [count_statements(app, lambda c=caller: sync(c)) for caller in (small, large)]
    assert counts[0] == counts[1], counts
    assert counts[0] < 40
    # and a delta of everything
    cursor = f"1.{feed.scope_tag(small.user)}"
    assert feed.scope_tag(small.user) == feed.scope_tag(large.user)
    counts = [count_statements(app, lambda c=caller: sync(c, cursor)) for caller in (small, large)]
    assert counts[0] == counts[1], counts
