"""Account statements (screen, PDF, CSV) and the aging report, as the user gets them."""

import csv
import io
import re
from datetime import date

import pytest

from app.extensions import db
from app.ledger import applications, reports
from tests import factories
from tests.factories import make_client, make_sale_condition, post_document, post_receipt

RANGE = "from=2026-02-01&to=2026-02-28"
BALANCE_CELL = re.compile(r'class="num running" data-label="Saldo">([^<]+)<')


def peso(text: str, symbol: str = "$") -> str:
    """An amount as the money filter writes it."""
    return f"{symbol}\u00a0{text}"


def plain(html: str) -> str:
    """The page's text without tags, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ")
    text = re.sub(r"\s+", " ", text)
    return re.sub(r" ([:,.])", r"\1", text)


def statement_url(client, suffix: str = "", query: str = RANGE) -> str:
    """The statement's address for a client."""
    return f"/clients/{client.id}/account/statement{suffix}?{query}"


@pytest.fixture
def account():
    """A client with documents before, inside and after February 2026, in pesos and dollars.

    Before: invoice 1000, receipt 400 applied to it (opening 600). Inside: invoice 500 (1100),
    receipt 300 applied to the new invoice (800), receipt 200 (600) voided on the 20th (800).
    After: an invoice of 999. In dollars: one invoice of 50 inside the range.
    """
    client = make_client(legal_name="Ñandú y Cía S.R.L.", trade_name="Almacén Don José")
    old = post_document(client, amount="1000", letter="A", date=date(2026, 1, 10))
    post_receipt(
        client,
        "400",
        date=date(2026, 1, 20),
        applications=[{"installment_id": old.installments[0].id, "amount": "400"}],
    )
    new = post_document(client, amount="500", letter="A", date=date(2026, 2, 5))
    post_receipt(
        client,
        "300",
        date=date(2026, 2, 10),
        applications=[{"installment_id": new.installments[0].id, "amount": "300"}],
    )
    bounced = post_receipt(client, "200", date=date(2026, 2, 15))
    applications.void_document(bounced, "Cheque rechazado", None, on=date(2026, 2, 20))
    post_document(client, amount="999", letter="A", date=date(2026, 3, 5))
    post_document(
        client,
        amount="50",
        letter="E",
        date=date(2026, 2, 12),
        currency="USD",
        exchange_rate="1000",
    )
    db.session.commit()
    return client


@pytest.fixture
def office(login_as):
    """A back-office user, who reaches every client."""
    return login_as("backoffice")


# --- statement on screen ---------------------------------------------------------------------


def test_statement_runs_the_balance_from_the_opening_through_the_range(office, account):
    response = office.get(statement_url(account))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    balances = BALANCE_CELL.findall(page)
    expected = ["600,00", "1.100,00", "800,00", "600,00", "800,00", "800,00"]
    assert balances == [peso(value) for value in expected]
    text = plain(page)
    assert "Ñandú y Cía S.R.L." in text
    assert "Saldo anterior" in text and "Totales del período" in text
    assert "FC A 0001-00000003" not in text  # dated after the range
    assert "999,00" not in text


def test_documents_before_the_range_count_only_in_the_opening(office, account):
    page = office.get(statement_url(account, query="from=2026-01-15&to=2026-01-31"))
    html = page.get_data(as_text=True)
    assert BALANCE_CELL.findall(html) == [peso("1.000,00"), peso("600,00"), peso("600,00")]
    assert html.count('<tbody class="doc') == 1
    assert "Aplicado a FC A 0001-00000001: $ 400,00" in plain(html)


def test_each_document_lists_its_applications(office, account):
    text = plain(office.get(statement_url(account)).get_data(as_text=True))
    assert "Aplicado a FC A 0001-00000002: $ 300,00" in text
    assert "Cancela con RC X 0001-00000002: $ 300,00" in text


def test_a_voided_receipt_and_its_reversal_are_marked_and_net_out(office, account):
    page = office.get(statement_url(account)).get_data(as_text=True)
    text = plain(page)
    assert "RC X 0001-00000003 Anulado" in text
    assert "Anulado: Cheque rechazado" in text
    assert "Anulación de RC X 0001-00000003" in text
    assert 'class="doc void"' in page and 'class="doc reversal"' in page
    # 800 before the receipt, 600 with it, 800 again once reversed
    assert BALANCE_CELL.findall(page)[2:5] == [peso("800,00"), peso("600,00"), peso("800,00")]


def test_dollars_and_pesos_have_separate_statements(office, account):
    pesos = office.get(statement_url(account)).get_data(as_text=True)
    assert "FC E 0001-00000001" not in pesos
    assert '<option value="USD"' in pesos  # the currency switch shows: the client has dollars
    dollars = office.get(statement_url(account, query=RANGE + "&currency=USD"))
    page = dollars.get_data(as_text=True)
    assert "FC E 0001-00000001" in page
    assert BALANCE_CELL.findall(page) == [peso(v, "US$") for v in ("0,00", "50,00", "50,00")]
    assert "FC A 0001-00000002" not in page


def test_a_client_in_pesos_only_gets_no_currency_switch(office):
    client = make_client()
    post_document(client, amount="10", date=date(2026, 2, 2))
    db.session.commit()
    page = office.get(statement_url(client)).get_data(as_text=True)
    assert 'name="currency"' in page and "<select" not in page.split('id="statement"')[0]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-02-30&to=2026-03-01", "Fecha inválida."),
        ("from=ayer&to=2026-03-01", "Fecha inválida."),
        ("from=2026-03-01&to=2026-02-01", "La fecha «hasta» no puede ser anterior"),
        ("from=1900-01-01&to=2026-02-01", "La fecha está fuera de rango."),
        (RANGE + "&currency=EUR", "Moneda inválida: usá ARS o USD."),
    ],
)
def test_bad_dates_are_refused_with_a_spanish_message(office, account, query, message):
    response = office.get(statement_url(account, query=query))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "<html" in page
    assert "Traceback" not in page
    fragment = office.get(statement_url(account, query=query), headers={"HX-Request": "true"})
    assert fragment.status_code == 422
    assert message in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)


def test_bad_dates_on_the_downloads_show_the_page_with_the_message(office, account):
    for suffix in (".pdf", ".csv"):
        response = office.get(statement_url(account, suffix, "from=2026-13-01&to=2026-02-01"))
        assert response.status_code == 422
        assert response.mimetype == "text/html"
        assert "Fecha inválida." in response.get_data(as_text=True)


def test_the_filter_gets_only_the_statement_fragment(office, account):
    response = office.get(statement_url(account), headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and "<form" not in body
    assert "Aplicado a" in body
    assert "HX-Request" in response.headers["Vary"]


def test_the_filter_form_works_without_javascript(office, account):
    page = office.get(f"/clients/{account.id}/account/statement").get_data(as_text=True)
    assert f'action="/clients/{account.id}/account/statement"' in page
    assert 'method="get"' in page and 'hx-push-url="true"' in page


def test_by_default_the_statement_starts_three_months_back(office, account, monkeypatch):
    monkeypatch.setattr(reports, "local_today", lambda: date(2026, 3, 15))
    page = office.get(f"/clients/{account.id}/account/statement").get_data(as_text=True)
    assert 'value="2025-12-01"' in page and 'value="2026-03-15"' in page
    assert "Del 01/12/2025 al 15/03/2026" in page
    assert "FC A 0001-00000003" in page


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (date(2026, 5, 15), date(2026, 2, 1)),
        (date(2026, 1, 31), date(2025, 10, 1)),
        (date(2026, 3, 1), date(2025, 12, 1)),
        (date(2024, 2, 29), date(2023, 11, 1)),
    ],
)
def test_months_back_start(today, start):
    assert reports.months_back_start(today) == start


def test_links_to_the_pdf_and_csv_keep_the_range(office, account):
    page = office.get(statement_url(account, query=RANGE + "&currency=USD")).get_data(as_text=True)
    query = "from=2026-02-01&amp;to=2026-02-28&amp;currency=USD"
    assert f"/clients/{account.id}/account/statement.pdf?{query}" in page
    assert f"/clients/{account.id}/account/statement.csv?{query}" in page


def test_a_salesperson_sees_only_the_statements_of_own_clients(login_as, account):
    seller = login_as("salesperson")
    mine = make_client(salesperson_id=seller.user.id)
    db.session.commit()
    assert seller.get(statement_url(mine)).status_code == 200
    for suffix in ("", ".pdf", ".csv"):
        assert seller.get(statement_url(account, suffix)).status_code == 404


# --- PDF -------------------------------------------------------------------------------------


TEXT_OBJECT = re.compile(r"BT (.*?) ET", re.DOTALL)
SHOWN_TEXT = re.compile(r"\(((?:[^()\\]|\\.)*)\) Tj")


def pdf_text(response) -> str:
    """The text the PDF shows, a line per text object (tests write uncompressed content)."""
    content = response.data.decode("cp1252", errors="replace")
    lines = [
        "".join(re.sub(r"\\(.)", r"\1", shown) for shown in SHOWN_TEXT.findall(block))
        for block in TEXT_OBJECT.findall(content)
    ]
    return "\n".join(line.replace("\u00a0", " ") for line in lines if line)


def test_statement_pdf_prints_the_statement(office, account):
    response = office.get(statement_url(account, ".pdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"estado-de-cuenta-{account.code}-2026-02-01-2026-02-28.pdf" in disposition
    text = pdf_text(response)
    assert "Estado de cuenta" in text
    assert "Ñandú y Cía S.R.L." in text
    assert "30-" in text and account.code in text
    assert "$ 1.100,00" in text.splitlines()  # a running balance
    assert "Aplicado a FC A 0001-00000002: $ 300,00" in text
    assert "Anulado: Cheque rechazado" in text
    assert "Saldo al 28/02/2026" in text and "Página 1 de 1" in text


def test_a_long_statement_pdf_repeats_the_header_on_each_page(office):
    client = make_client(legal_name="Distribuidora Güemes S.A.")
    for day in range(1, 91):
        post_document(client, amount="10", date=date(2026, 1, 1 + day % 28))
    db.session.commit()
    response = office.get(statement_url(client, ".pdf", "from=2026-01-01&to=2026-01-31"))
    text = pdf_text(response)
    pages = int(re.search(r"Página 1 de (\d+)", text).group(1))
    assert pages >= 2
    assert f"Página {pages} de {pages}" in text
    assert text.splitlines().count("Comprobante") == pages
    assert "$ 900,00" in text.splitlines()


def test_printable_replaces_what_the_core_font_cannot_print():
    from app.core.pdf import printable

    assert printable("Año ñandú — ¿ü? 漢") == "Año ñandú — ¿ü? ?"


# --- CSV -------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    """The CSV's rows, after checking the BOM Excel needs."""
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_statement_csv_has_opening_documents_and_closing(office, account):
    response = office.get(statement_url(account, ".csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "estado-de-cuenta-" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["Fecha", "Comprobante", "Vencimiento", "Debe", "Haber", "Saldo", "Estado"]
    assert rows[1] == ["01/02/2026", "Saldo anterior", "", "", "", "600,00", ""]
    assert rows[2] == [
        "05/02/2026",
        "FC A 0001-00000002",
        "05/02/2026",
        "500,00",
        "0,00",
        "1100,00",
        "Pagado en parte",
    ]
    assert [row[1] for row in rows[3:6]] == [
        "RC X 0001-00000002",
        "RC X 0001-00000003",
        "Anulación de RC X 0001-00000003",
    ]
    assert rows[4][-1] == "Anulado" and rows[5][-1] == "Anulación"
    assert rows[-1] == ["28/02/2026", "Saldo final", "", "700,00", "500,00", "800,00", ""]
    assert len(rows) == 7


# --- aging -----------------------------------------------------------------------------------

AS_OF = "as_of=2026-06-30"


@pytest.fixture
def book(login_as):
    """Three clients with different overdue debt in two zones, and one with nothing owed."""
    seller = factories.make_user("salesperson")
    north, south = factories.make_zone(name="Norte"), factories.make_zone(name="Sur")
    terms = make_sale_condition(rule_days=30)
    clients = {}
    for name, zone, amounts in (
        ("Kiosco Poco", north, [("100", date(2026, 6, 20))]),  # 10 days overdue
        ("Almacén Mucho", south, [("500", date(2026, 2, 1)), ("50", date(2026, 6, 25))]),
        ("Bar Al Día", north, []),
    ):
        client = make_client(trade_name=name, sales_zone_id=zone.id, salesperson_id=seller.id)
        for amount, when in amounts:
            post_document(client, amount=amount, date=when)
        clients[name] = client
    # not due until July: no overdue part
    post_document(
        clients["Bar Al Día"], amount="70", date=date(2026, 6, 20), sale_condition_id=terms.id
    )
    post_receipt(clients["Kiosco Poco"], "30", date=date(2026, 6, 28))  # unapplied
    make_client(trade_name="Sin Deuda", sales_zone_id=north.id)
    db.session.commit()
    return {"seller": seller, "north": north, "south": south, **clients}


def aging_names(page: str) -> list[str]:
    """The client names in the order the report lists them."""
    return re.findall(r'<th scope="row" class="client">\s*<a href="[^"]+">([^<]+)</a>', page)


def test_aging_totals_and_rows_ordered_by_overdue(office, book):
    response = office.get(f"/ledger/aging?{AS_OF}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert aging_names(page) == ["Almacén Mucho", "Kiosco Poco", "Bar Al Día"]
    text = plain(page)
    assert "A vencer $ 70,00" in text
    assert "1 a 30 días $ 150,00" in text
    assert "Más de 90 días $ 500,00" in text
    assert "Sin aplicar -$ 30,00" in text
    assert "Saldo total $ 690,00" in text and "Vencido $ 650,00" in text
    assert "3 clientes" in text
    assert f'href="/clients/{book["Kiosco Poco"].id}/account"' in page


def test_aging_overdue_filter_leaves_out_clients_with_nothing_past_due(office, book):
    page = office.get(f"/ledger/aging?{AS_OF}&overdue=1").get_data(as_text=True)
    assert aging_names(page) == ["Almacén Mucho", "Kiosco Poco"]


def test_aging_zone_filter(office, book):
    page = office.get(f"/ledger/aging?{AS_OF}&zone_id={book['north'].id}").get_data(as_text=True)
    assert aging_names(page) == ["Kiosco Poco", "Bar Al Día"]
    assert "Vencido $ 100,00" in plain(page)


def test_aging_in_dollars_lists_only_dollar_debt(office, book):
    post_document(
        book["Bar Al Día"], amount="5", date=date(2026, 1, 2), currency="USD", exchange_rate="1"
    )
    db.session.commit()
    page = office.get(f"/ledger/aging?{AS_OF}&currency=USD").get_data(as_text=True)
    assert aging_names(page) == ["Bar Al Día"]
    assert "Más de 90 días US$ 5,00" in plain(page)


def test_salespeople_may_not_open_the_aging_report(login_as, book):
    seller = login_as("salesperson")
    assert seller.get("/ledger/aging").status_code == 403
    assert seller.get("/ledger/aging.csv").status_code == 403
    assert "Antigüedad de saldos" not in seller.get("/clients/").get_data(as_text=True)


def test_a_supervisor_sees_only_the_team_clients(login_as, book):
    boss = login_as("supervisor")
    team_seller = factories.make_user("salesperson", supervisor_id=boss.user.id)
    book["Kiosco Poco"].salesperson_id = team_seller.id
    db.session.commit()
    page = boss.get(f"/ledger/aging?{AS_OF}").get_data(as_text=True)
    assert aging_names(page) == ["Kiosco Poco"]
    assert "Antigüedad de saldos" in boss.get("/clients/").get_data(as_text=True)
    # the salesperson filter offers only the team
    assert f">{team_seller.full_name}<" in page
    assert f">{book['seller'].full_name}<" not in page


def test_aging_pages_work_as_links_and_as_htmx_fragments(office, book, monkeypatch):
    monkeypatch.setattr(reports, "AGING_PAGE_SIZE", 2)
    first = office.get(f"/ledger/aging?{AS_OF}").get_data(as_text=True)
    assert aging_names(first) == ["Almacén Mucho", "Kiosco Poco"]
    assert "Página 1 de 2" in first
    assert "/ledger/aging?page=2&amp;as_of=2026-06-30&amp;currency=ARS" in first
    second = office.get(f"/ledger/aging?{AS_OF}&page=2", headers={"HX-Request": "true"})
    body = second.get_data(as_text=True)
    assert "<html" not in body and "<form" not in body
    assert aging_names(body) == ["Bar Al Día"]
    assert "Saldo total $ 690,00" in plain(body)  # totals cover every page


def test_aging_bad_date_is_refused(office, book):
    response = office.get("/ledger/aging?as_of=2026-02-31")
    assert response.status_code == 422
    assert "Fecha inválida." in response.get_data(as_text=True)
    assert office.get("/ledger/aging?currency=XYZ").status_code == 422
    assert office.get("/ledger/aging?page=abc&zone_id=x").status_code == 200


def test_aging_csv_has_every_row(office, book):
    response = office.get(f"/ledger/aging.csv?{AS_OF}")
    assert response.status_code == 200
    assert "antiguedad-de-saldos-ARS-2026-06-30.csv" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:4] == ["Código", "Cliente", "Moneda", "A vencer"]
    assert rows[0][-3:] == ["Vencido", "Sin aplicar", "Total"]
    assert [row[1] for row in rows[1:]] == ["Almacén Mucho", "Kiosco Poco", "Bar Al Día"]
    mucho = rows[1]
    assert mucho[3:] == ["0,00", "50,00", "0,00", "0,00", "500,00", "550,00", "0,00", "550,00"]
    assert rows[2][-2:] == ["30,00", "70,00"]


def test_installments_show_their_due_dates_everywhere(office):
    terms = make_sale_condition(rule_days=30, installments=3)
    client = make_client(sale_condition_id=terms.id)
    post_document(client, amount="100", letter="B", date=date(2026, 2, 1))
    db.session.commit()
    page = plain(office.get(statement_url(client)).get_data(as_text=True))
    assert "Vence 03/03/2026" in page
    assert "Cuotas: 03/03/2026 $ 33,33 · 02/04/2026 $ 33,33 · 02/05/2026 $ 33,34" in page
    rows = read_csv(office.get(statement_url(client, ".csv")))
    assert rows[2][2] == "03/03/2026, 02/04/2026, 02/05/2026"
    text = pdf_text(office.get(statement_url(client, ".pdf")))
    assert "Cuotas: 03/03/2026 $ 33,33 · 02/04/2026 $ 33,33 · 02/05/2026 $ 33,34" in text
