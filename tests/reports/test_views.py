"""The reports' pages: the dashboard, rankings and their downloads, risk, inactive, purchases."""

import io

import pytest
from openpyxl import load_workbook

import app.reports.risk as risk
from app.core.types import local_today
from tests import factories

OCTOBER = "from=2026-10-01&to=2026-10-31"


@pytest.fixture
def signed_in(app):
    """Factory: a browser signed in as an existing user."""
    from tests.conftest import Browser

    def make(user):
        browser = Browser(app.test_client())
        assert browser.login(user.username).status_code == 303
        return browser

    return make


def test_the_supervisor_reaches_the_dashboard_from_the_menu(app, book, signed_in):
    browser = signed_in(book.supervisor)
    home = browser.get("/clients/").get_data(as_text=True)
    assert 'href="/reports/"' in home and "Informes" in home
    page = browser.get("/reports/").get_data(as_text=True)
    assert "<h1>Informes</h1>" in page
    # the sections fill in as they arrive, each its own request
    for section in ("month", "leaders", "idle"):
        assert f'hx-get="/reports/dashboard/{section}" hx-trigger="load"' in page
    month = browser.get("/reports/dashboard/month").get_data(as_text=True)
    assert "<svg" in month and "Ventas por mes" in month and "Cobranzas del mes" in month
    leaders = browser.get("/reports/dashboard/leaders").get_data(as_text=True)
    assert "Vendedores" in leaders and "Mejores clientes" in leaders and "<html" not in leaders
    idle = browser.get("/reports/dashboard/idle").get_data(as_text=True)
    with app.test_request_context():
        count = risk.inactive_count(book.supervisor, local_today(), 60)
    assert f"Clientes sin facturas en 60 días: {count}." in idle


def test_a_salesperson_has_no_dashboard_but_sees_rankings_of_their_clients(book, signed_in):
    browser = signed_in(book.seller2)
    assert browser.get("/reports/").status_code == 403
    assert 'href="/reports/"' not in browser.get("/clients/").get_data(as_text=True)
    page = browser.get(f"/reports/ranking?{OCTOBER}").get_data(as_text=True)
    assert "Comercio C" in page and "Bodega B" not in page


def test_the_ranking_page_shows_the_figures_and_a_fragment_for_htmx(book, signed_in):
    browser = signed_in(book.admin)
    page = browser.get(f"/reports/ranking?by=margin&of=products&{OCTOBER}").get_data(as_text=True)
    assert "Aceite 1,5 l" in page and "$\u00a04.302,00" in page and "$\u00a0260,00" in page
    fragment = browser.get(f"/reports/ranking?{OCTOBER}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "<html" not in fragment and "Bodega B" in fragment and "$\u00a011.255,00" in fragment


def test_bad_arguments_show_the_error_on_the_page(book, signed_in):
    page = signed_in(book.admin).get("/reports/ranking?from=2026-10-02&to=2026-10-01")
    assert "La fecha final es anterior a la inicial." in page.get_data(as_text=True)


def test_the_ranking_downloads_as_csv_and_xlsx(book, signed_in):
    browser = signed_in(book.admin)
    csv = browser.get(f"/reports/ranking.csv?{OCTOBER}")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "Puesto;Código;Nombre;Ventas;Parte del total"
    assert lines[1].endswith(";Bodega B;10055.00;89.34".replace(".", ","))
    xlsx = browser.get(f"/reports/ranking.xlsx?by=sales&of=products&{OCTOBER}")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.values)
    assert rows[0] == ("Puesto", "Código", "Nombre", "Ventas", "Parte del total", "Cantidad")
    assert rows[1][2:5] == ("Aceite 1,5 l", 10405, 92.86)


def test_the_at_risk_page_links_each_reason_to_its_evidence(app, signed_in):
    from app.credit.models import CreditPolicy
    from app.extensions import db

    admin = factories.make_user("admin")
    policy = CreditPolicy(code="L100", name="Cien", money_limit=100)
    db.session.add(policy)
    db.session.flush()
    client = factories.make_client(trade_name="Al tope", credit_policy_id=policy.id)
    factories.post_document(client, "invoice", "95.00")
    db.session.commit()
    page = signed_in(admin).get("/reports/at-risk").get_data(as_text=True)
    assert f'<a href="/clients/{client.id}/account">Usa el 95 % de su límite' in page
    assert "Su saldo supera el 90 % de su límite de crédito." in page


def test_the_inactive_page_lists_clients_by_days(book, signed_in):
    page = signed_in(book.seller1).get("/reports/inactive?days=1").get_data(as_text=True)
    assert "Almacén A" in page and "Bodega B" in page and "Comercio C" not in page


def test_the_card_shows_the_purchase_history_and_links_every_purchase(book, signed_in):
    browser = signed_in(book.seller1)
    card = browser.get(f"/clients/{book.a.id}").get_data(as_text=True)
    section = card[card.index('id="compras"') :]
    assert "Yerba 1 kg" in section and "$\u00a0500,00" in section and "<svg" in section
    assert f'href="/reports/clients/{book.a.id}/purchases"' in section
    fragment = browser.get(
        f"/reports/clients/{book.a.id}/purchases", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Yerba 1 kg" in fragment and "-$\u00a0100,00" in fragment
    assert browser.get(f"/reports/clients/{book.c.id}/purchases").status_code == 404
    empty = browser.get(f"/clients/{book.d.id}").get_data(as_text=True)
    assert "No compró nada en los últimos 12 meses." in empty


def test_the_salespeople_page_puts_each_period_beside_the_one_before(book, signed_in):
    browser = signed_in(book.supervisor)
    page = browser.get(f"/reports/salespeople?{OCTOBER}").get_data(as_text=True)
    assert book.seller1.full_name in page and book.seller2.full_name not in page
    assert "$\u00a010.955,00" in page and "$\u00a07.777,00" in page
    assert "Ticket promedio" in page and "$\u00a05.477,50" in page
    sheet = load_workbook(
        io.BytesIO(browser.get(f"/reports/salespeople.xlsx?{OCTOBER}").data)
    ).active
    rows = list(sheet.values)
    assert rows[0][:3] == (
        "Vendedor",
        "Visitas de la ruta",
        "Visitas de la ruta, período anterior",
    )
    assert rows[1][0] == book.seller1.full_name
    assert rows[0][11:13] == ("Ventas", "Ventas, período anterior")
    assert rows[1][11:13] == (10955, 7777)
    bad = browser.get("/reports/salespeople?from=2026-10-02&to=2026-10-01")
    assert "La fecha final es anterior a la inicial." in bad.get_data(as_text=True)


def test_inactive_and_at_risk_lists_download(book, signed_in):
    from app.credit.models import CreditPolicy
    from app.extensions import db

    policy = CreditPolicy(code="L100", name="Cien", money_limit=100)
    db.session.add(policy)
    db.session.flush()
    book.a.credit_policy_id = policy.id  # A owes 1000 - 100 - 500 = 400 of a 100 limit
    db.session.commit()
    browser = signed_in(book.seller1)
    lines = browser.get("/reports/inactive.csv?days=1").get_data(as_text=True).splitlines()
    assert lines[0].lstrip("\ufeff") == "Código;Cliente;Última factura;Días"
    assert sorted(line.split(";")[1] for line in lines[1:]) == ["Almacén A", "Bodega B"]
    sheet = load_workbook(io.BytesIO(browser.get("/reports/at-risk.xlsx").data)).active
    assert list(sheet.values)[1] == (
        book.a.code,
        "Almacén A",
        "Usa el 400 % de su límite de crédito ($ 400 de $ 100).",
    )


def test_the_map_colours_the_clients_in_scope_by_rating_or_risk(book, signed_in):
    import html
    import json
    import re

    from app.credit.models import CreditPolicy
    from app.extensions import db

    book.a.abc_rating = "A"
    factories.make_address(book.a, latitude=-34.6, longitude=-58.4)
    factories.make_address(book.c, latitude=-34.7, longitude=-58.5)
    policy = CreditPolicy(code="L100", name="Cien", money_limit=100)
    db.session.add(policy)
    db.session.flush()
    book.a.credit_policy_id = policy.id
    db.session.commit()
    browser = signed_in(book.seller1)

    def drawn(url):
        page = browser.get(url).get_data(as_text=True)
        found = re.search(r"data-points='([^']*)'", page)
        return {p["name"]: p["state"] for p in json.loads(html.unescape(found.group(1)))}

    # C is seller2's: not on seller1's map; B and D have no coordinates
    assert drawn("/reports/map") == {"Almacén A": "abc-a"}
    assert drawn("/reports/map?by=risk") == {"Almacén A": "risk"}
