"""sales_months, the monthly sums the database keeps as the ledger is written: after random
invoices, debit and credit notes in pesos and dollars with costed lines, receipts and voids, each
client's months hold what its documents add up to, and the reports give the same figures as
going through every document."""

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

import app.reports.month_sums as month_sums
import app.reports.services as services
from app.clients.models import Client
from app.core.types import utcnow
from app.extensions import db
from app.ledger import applications
from app.ledger.models import Document
from app.reports.models import ProductMonth, SalesMonth
from tests import factories

D = Decimal
KINDS = ("invoice", "invoice", "invoice", "debit_note", "credit_note")


def _random_ledger(seed: int) -> list:
    """Four clients, five months of documents; a few voided."""
    rng = random.Random(seed)
    sellers = [factories.make_user("salesperson") for _ in range(2)]
    clients = [
        factories.make_client(trade_name=f"Cliente {n}", salesperson_id=sellers[n % 3 // 2].id)
        if n < 3
        else factories.make_client(trade_name=f"Cliente {n}")
        for n in range(4)
    ]
    products = [factories.make_product() for _ in range(3)]
    documents = []
    for _ in range(40):
        client = rng.choice(clients)
        day = date(2026, rng.randint(6, 10), rng.randint(1, 28)).isoformat()
        if rng.random() < 0.3:
            documents.append(factories.post_receipt(client, f"{rng.randint(1, 900)}.50", date=day))
            continue
        kind = rng.choice(KINDS)
        dollars = rng.random() < 0.25
        money = {"currency": "USD", "exchange_rate": "1012.345678"} if dollars else {}
        lines = [
            (rng.choice(products), "2", f"{rng.randint(10, 400)}.25", f"{rng.randint(1, 9)}.13")
            for _ in range(rng.randint(0, 3))
        ]
        amount = sum((D(amount) for _p, _q, amount, _c in lines), D("0")) or D("77.70")
        document = factories.post_document(client, kind, str(amount), date=day, **money)
        factories.add_sale_lines(document, *lines)
        documents.append(document)
    db.session.flush()
    for document in rng.sample(documents, 6):
        applications.void_document(document, "Cargado por error", None, on=date(2026, 11, 2))
    db.session.commit()
    return clients


def _by_hand() -> dict:
    """(client, month) -> [sales, cost, collections, sale documents, receipts] from each
    standing document and its lines."""
    found: dict = defaultdict(lambda: [D("0"), D("0"), D("0"), 0, 0])
    for document in db.session.scalars(sa.select(Document)):
        if document.state == "void" or document.reverses_id is not None:
            continue
        key = (document.client_id, document.date.replace(day=1))
        sign = -1 if document.kind == "credit_note" else 1
        rate = document.exchange_rate
        if document.kind == "receipt":
            found[key][2] += document.amount * rate
            found[key][4] += 1
        elif document.kind in ("invoice", "debit_note", "credit_note"):
            found[key][0] += sign * document.amount * rate
            found[key][1] += sign * rate * sum((line.cost or 0 for line in document.sale_lines), 0)
            found[key][3] += 1
    return found


def _kept() -> dict:
    return {
        (row.client_id, row.month): [
            row.sales,
            row.cost,
            row.collections,
            row.sale_documents,
            row.receipts,
        ]
        for row in db.session.scalars(sa.select(SalesMonth))
    }


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(D(str(a)) - D(str(b))) < D("0.000001")


def test_each_clients_months_hold_what_its_documents_add_up_to(app):
    _random_ledger(seed=7)
    hand, kept = _by_hand(), _kept()
    assert set(kept) >= set(hand)
    for key, row in kept.items():
        expected = hand.get(key, [D("0"), D("0"), D("0"), 0, 0])
        assert all(_close(a, b) for a, b in zip(row[:3], expected[:3], strict=True)), key
        assert row[3:] == expected[3:], key


def _through_documents(by: str, of: str, start: date, end: date) -> dict:
    """What a ranking adds up, document by document, from start to end."""
    found: dict = {}
    for document in db.session.scalars(sa.select(Document)):
        if document.state == "void" or document.reverses_id is not None:
            continue
        if not start <= document.date <= end:
            continue
        if (by == "collections") != (document.kind == "receipt"):
            continue
        if document.kind not in ("invoice", "debit_note", "credit_note", "receipt"):
            continue
        sign = -1 if document.kind == "credit_note" else 1
        value = document.amount
        if by == "margin":
            value -= sum((line.cost or 0 for line in document.sale_lines), 0)
        client = db.session.get(Client, document.client_id)
        key = document.client_id if of == "clients" else client.salesperson_id
        found[key] = found.get(key, D("0")) + sign * value * document.exchange_rate
    return found


def test_rankings_agree_with_going_through_every_document(app):
    _random_ledger(seed=11)
    periods = [
        (date(2026, 6, 1), date(2026, 10, 31)),  # whole months only
        (date(2026, 6, 17), date(2026, 9, 3)),  # both edges
        (date(2026, 7, 5), date(2026, 7, 20)),  # inside one month
    ]
    for start, end in periods:
        for by in ("sales", "collections", "margin"):
            for of in ("clients", "salespeople"):
                summed = services.totals(by, of, start, end)
                expected = _through_documents(by, of, start, end)
                assert set(summed) == set(expected), (by, of, start)
                for key, value in expected.items():
                    assert _close(summed[key], value), (by, of, start, key)


def test_the_monthly_trend_reads_the_same_from_sums_and_documents(app):
    clients = _random_ledger(seed=5)
    admin = factories.make_user("admin")
    db.session.commit()
    today = date(2026, 10, 16)  # October is not over: its days come from the documents
    points = services.monthly_trend(admin, today, months=6)
    for point in points:
        first = date(*point.month, 1)
        last = today if point.month == (2026, 10) else _month_end(first)
        sales = sum(_through_documents("sales", "clients", first, last).values(), D("0"))
        paid = sum(_through_documents("collections", "clients", first, last).values(), D("0"))
        assert point.sales == sales.quantize(D("0.01")), point.month
        assert point.collections == paid.quantize(D("0.01")), point.month
    assert any(point.sales for point in points) and clients


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _lines_by_hand(start: date, end: date, by: str, skip: set) -> dict:
    """product -> (total, quantity) of the standing sale lines from start to end, document by
    document, leaving out the clients in `skip`."""
    found: dict = {}
    for document in db.session.scalars(sa.select(Document)):
        if document.state == "void" or document.reverses_id is not None:
            continue
        if document.kind not in ("invoice", "debit_note", "credit_note"):
            continue
        if not start <= document.date <= end or document.client_id in skip:
            continue
        sign = -1 if document.kind == "credit_note" else 1
        for line in document.sale_lines:
            value = line.amount - ((line.cost or 0) if by == "margin" else 0)
            total, quantity = found.get(line.product_id, (D("0"), D("0")))
            found[line.product_id] = (
                total + sign * value * document.exchange_rate,
                quantity + sign * line.quantity,
            )
    return found


def test_each_products_months_hold_what_its_lines_add_up_to(app):
    _random_ledger(seed=3)
    kept = {(row.product_id, row.month): row for row in db.session.scalars(sa.select(ProductMonth))}
    for month in (date(2026, m, 1) for m in range(6, 11)):
        hand = _lines_by_hand(month, _month_end(month), "sales", set())
        for product, (total, quantity) in hand.items():
            row = kept[(product, month)]
            assert _close(row.sales, total) and row.quantity == quantity, (product, month)
    assert all(row.lines >= 0 for row in kept.values())


def test_a_product_ranking_of_the_whole_company_agrees_with_its_lines(app):
    clients = _random_ledger(seed=13)
    admin = factories.make_user("admin")
    seller = factories.make_user("salesperson")
    clients[0].deleted_at = utcnow()  # in the trash: out of every ranking
    clients[1].salesperson_id = seller.id
    db.session.commit()
    for start, end in [
        (date(2026, 6, 1), date(2026, 10, 31)),
        (date(2026, 6, 12), date(2026, 9, 20)),
    ]:
        for by in ("sales", "margin"):
            expected = _lines_by_hand(start, end, by, {clients[0].id})
            ranking = services.ranking(admin, by, "products", start, end, limit=100)
            assert {item.id: (item.total, item.quantity) for item in ranking.items} == {
                product: (total.quantize(D("0.01")), quantity)
                for product, (total, quantity) in expected.items()
            }, (by, start)
            own = services.ranking(seller, by, "products", start, end, limit=100)
            mine = _lines_by_hand(start, end, by, {c.id for c in clients if c is not clients[1]})
            assert {item.id: item.total for item in own.items} == {
                product: total.quantize(D("0.01")) for product, (total, _q) in mine.items()
            }


def _standing(rows: dict) -> dict:
    """The months some standing document or line makes (a month of voids only is all zero)."""
    return {key: [D(str(v)) for v in row] for key, row in rows.items() if any(row[3:])}


def _products_kept() -> dict:
    return {
        (row.product_id, row.month): [row.sales, row.cost, row.quantity, row.lines]
        for row in db.session.scalars(sa.select(ProductMonth))
    }


def _same(a: dict, b: dict) -> bool:
    return set(a) == set(b) and all(
        all(_close(x, y) for x, y in zip(a[key], b[key], strict=True)) for key in a
    )


def test_adding_the_months_up_again_gives_what_the_triggers_kept(app):
    _random_ledger(seed=13)
    by_triggers = _standing(_kept()), _standing(_products_kept())
    db.session.execute(sa.update(SalesMonth).values(sales=0, collections=0))
    db.session.execute(sa.delete(ProductMonth))
    month_sums.rebuild()
    db.session.commit()
    assert (_standing(_kept()), _standing(_products_kept())) != ({}, {})
    assert _same(_standing(_kept()), by_triggers[0])
    assert _same(_standing(_products_kept()), by_triggers[1])


def test_a_bulk_load_adds_the_months_up_once_at_the_end_and_the_triggers_come_back(app):
    with month_sums.paused():
        _random_ledger(seed=17)  # commits: the load is inside one transaction only for the demo
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SalesMonth)) == 0
    db.session.commit()
    hand, kept = _by_hand(), _kept()
    assert hand and _same(_standing(kept), {key: [*row] for key, row in hand.items()})
    client = db.session.get(Client, next(iter(hand))[0])
    factories.post_receipt(client, "123.45", date="2026-11-20")
    db.session.commit()
    row = db.session.get(SalesMonth, (client.id, date(2026, 11, 1)))
    assert row is not None and row.collections == D("123.45") and row.receipts == 1


def test_a_load_that_fails_leaves_the_triggers_as_they_were(app):
    client = factories.make_client(trade_name="Cliente de la carga fallida")
    db.session.commit()
    try:
        with month_sums.paused():
            factories.post_receipt(client, "10.00", date="2026-11-03")
            raise RuntimeError("la carga se cortó")
    except RuntimeError:
        db.session.rollback()
    factories.post_receipt(client, "20.00", date="2026-11-04")
    db.session.commit()
    row = db.session.get(SalesMonth, (client.id, date(2026, 11, 1)))
    assert row is not None and row.collections == D("20.00") and row.receipts == 1


def test_the_cli_mends_sums_the_ledger_went_around(app, runner):
    _random_ledger(seed=19)
    by_triggers = _standing(_kept())
    db.session.execute(sa.update(SalesMonth).values(sales=0, cost=0))  # a restore went around
    db.session.commit()
    result = runner.invoke(args=["month-sums"])
    assert result.exit_code == 0 and "Sumas mensuales rehechas" in result.output
    db.session.expire_all()
    assert by_triggers and _same(_standing(_kept()), by_triggers)
