"""The offline app shell page (/sync/ online, /offline/shell for the service worker)."""

import re

import pytest

PAGES = ["/sync/", "/offline/shell"]
VIEW_TEMPLATES = [
    "tpl-clients",
    "tpl-client-row",
    "tpl-card",
    "tpl-order",
    "tpl-call",
    "tpl-receipt",
    "tpl-pickups",
    "tpl-status",
    "tpl-route",
    "tpl-stop",
    "tpl-unavailable",
    "offline-words",
]


@pytest.mark.parametrize("path", PAGES)
def test_signed_out_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path}"


@pytest.mark.parametrize("path", PAGES)
def test_page_carries_the_views_script_and_styles(login_as, path):
    html = login_as("salesperson").get(path).get_data(as_text=True)
    assert '<div id="offline-view"' in html
    assert re.search(r'<script type="module" src="[^"]*/js/offline/app\.js"', html)
    head = html.split("</head>")[0]
    assert "css/offline.css" in head
    assert head.index("css/app.css") < head.index("css/offline.css")
    for template_id in VIEW_TEMPLATES:
        assert f'<template id="{template_id}">' in html, template_id


@pytest.mark.parametrize("path", PAGES)
def test_page_keeps_to_the_content_security_policy(login_as, path):
    html = login_as("salesperson").get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert " style=" not in html
    assert "<style" not in html


def test_status_page_shows_the_version_and_the_servers_cursor(login_as):
    response = login_as("collector").get("/sync/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Versión de la app" in html
    assert "Cambios en el servidor" in html
    assert 'data-shell="false"' in html


def test_shell_page_has_no_cursor(login_as):
    html = login_as("salesperson").get("/offline/shell").get_data(as_text=True)
    assert 'data-shell="true"' in html
    assert "Versión de la app" in html
    assert "Cambios en el servidor" not in html


def test_words_for_the_codes_the_sync_sends_are_rendered(login_as):
    html = login_as("salesperson").get("/offline/shell").get_data(as_text=True)
    assert '<span data-word="states:delinquent">Moroso</span>' in html
    assert '<span data-word="payment_methods:current_account">Cuenta corriente</span>' in html
    assert '<span data-word="order_statuses:awaiting_approval">Esperando aprobación</span>' in html
    assert 'data-word="ago-min">hace {n} min<' in html
    assert 'data-one="hace {n} día" data-other="hace {n} días"' in html
    assert 'name="channel" value="whatsapp"' in html


def test_salesperson_gets_the_order_button_and_the_collector_does_not(login_as):
    salesperson = login_as("salesperson").get("/offline/shell").get_data(as_text=True)
    collector = login_as("collector").get("/offline/shell").get_data(as_text=True)
    assert 'data-action="order"' in salesperson
    assert 'data-action="order"' not in collector
    assert 'data-action="call"' in collector
    assert 'id="credit"' in salesperson
    assert 'id="credit"' not in collector
    permissions = re.search(r'data-permissions="([^"]*)"', collector).group(1).split()
    assert "collections.log" in permissions
    assert "orders.take" not in permissions


def test_fetching_the_shell_leaves_the_next_pages_messages(login_as):
    """The worker fetches the shell in the background: it must not eat a flashed message."""
    caller = login_as("salesperson")
    with caller.client.session_transaction() as session:
        session["_flashes"] = [("success", "Cambios guardados.")]

    shell = caller.get("/offline/shell").get_data(as_text=True)
    page = caller.get("/clients/").get_data(as_text=True)

    assert "Cambios guardados." not in shell
    assert "Cambios guardados." in page


def test_offline_receipt_offers_the_kinds_the_server_takes_in_the_street(login_as):
    from app.collections.services import FIELD_KINDS

    html = login_as("collector").get("/offline/shell").get_data(as_text=True)
    line = re.search(r'<template id="tpl-pay-line">.*?</template>', html, re.S)[0]
    select = re.search(r'<select id="receipt-kind".*?</select>', line, re.S)[0]
    assert re.findall(r'<option value="(\w+)">', select) == list(FIELD_KINDS)
    # each kind's own fields are there, for the lines that need them
    assert re.search(
        r'data-kinds="own_check third_party_check"[^>]*>\s*<label for="receipt-bank"', line
    )
    assert re.search(r'data-kinds="withholding"[^>]*>\s*<label for="receipt-tax"', line)
    assert re.search(r'data-kinds="withholding"[^>]*>\s*<label for="receipt-certificate"', line)
    assert '<option value="iibb">Ingresos Brutos</option>' in line


def test_the_route_day_follows_the_collection_plan_for_a_collector_only(login_as):
    plans = {
        role: re.search(r'data-route-plan="(\w+)"', login_as(role).get("/offline/shell").text)[1]
        for role in ("salesperson", "supervisor", "collector")
    }
    assert plans == {"salesperson": "sales", "supervisor": "sales", "collector": "collection"}


def test_a_stop_takes_its_result_by_hand_but_not_an_order(login_as):
    html = login_as("salesperson").get("/offline/shell").get_data(as_text=True)
    stop = re.search(r'<template id="tpl-stop">.*?</template>', html, re.S)[0]
    assert re.findall(r'name="outcome" value="(\w+)"> ([^<]+)<', stop) == [
        ("no_order", "Sin pedido"),
        ("collected", "Cobrado"),
        ("skipped", "Salteada"),
    ]
    assert '<select id="visit-reason" name="reason_id">' in stop
    assert '<span data-word="visit-reason-required">Elegí el motivo.</span>' in html
    assert '<span data-word="visit_outcomes:order">Con pedido</span>' in html
    permissions = re.search(r'data-permissions="([^"]*)"', html).group(1).split()
    assert {"route.view", "route.work"} <= set(permissions)
