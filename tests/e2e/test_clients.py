"""The client master in Chromium: list, card, pickup check, notes, the card form, filters, trash."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import VIEWPORT, fill_login_form, watch_context, watched_page

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
ROWS = "#results ul.list > li"
ROW_LINKS = "#results a.row"
CARD_URL = re.compile(r"/clients/\d+$")
MADE_UP_DOCUMENT = "11.111.111"  # demo pickups carry documents from 20.000.000 up
# A rejected form answers 422, which Chromium reports as a failed resource.
STATUS_422 = (r"status of 422",)


def assert_fits(page, width: int = VIEWPORT["width"]) -> None:
    """Nothing sticks out sideways: the page is no wider than the viewport."""
    widths = page.evaluate(
        "() => ({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth})"
    )
    assert widths["doc"] <= width, (page.url, widths)
    assert widths["body"] <= width, (page.url, widths)


def mark_page(page) -> None:
    """Tag the document, to tell later whether htmx swapped a part or the page reloaded."""
    page.evaluate("() => { window.__e2eSamePage = 'still here'; }")


def assert_same_page(page) -> None:
    """The tagged document is still the one shown: no navigation happened."""
    assert page.evaluate("() => window.__e2eSamePage") == "still here", page.url


def card_value(page, label: str):
    """The <dd> next to the <dt> with this label on the client card."""
    return page.locator(f"dl.kv dt:text-is('{label}') + dd")


def history_entries(page):
    """The entries of the card's "Historial de cambios", newest first (not its empty line)."""
    return page.locator("ul.history > li:not(.muted)")


def edit_card(page, change) -> None:
    """Open the card form from the card, make one change, save and come back to the card."""
    card_url = page.url
    page.get_by_role("link", name="Editar ficha").click()
    expect(page).to_have_url(f"{card_url}/edit")
    change()
    page.get_by_role("button", name="Guardar").click()
    expect(page).to_have_url(card_url)
    expect(page.locator(".flash.success")).to_have_text("Cambios guardados.")


def list_total(page) -> int:
    """The client count the list's pager shows ("60 clientes")."""
    text = page.locator("#results .pager .muted").inner_text()
    match = re.fullmatch(r"(\d+) clientes?", text.strip())
    assert match, text
    return int(match.group(1))


def test_salesperson_card_on_a_phone(page, sign_in, errors, artifacts):
    sign_in("vendedor1")
    page.goto("/clients/")  # a salesperson starts on Hoy
    expect(page.locator("main h1")).to_have_text("Mis clientes")
    expect(page.get_by_role("link", name="Nuevo cliente")).to_have_count(0)
    expect(page.locator("details.filters")).to_have_count(0)
    links = page.locator(ROW_LINKS)
    expect(links.first).to_be_visible()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 3, hrefs

    # Every card opened from the list is one of his; go on until one has a pickup person.
    pickup_card, document = None, None
    for opened, href in enumerate(hrefs, start=1):
        page.goto(href)
        expect(card_value(page, "Vendedor")).to_have_text("Martín Acosta")
        pickups = page.locator("#pickups ul.plain > li strong")
        if pickup_card is None and pickups.count():
            pickup_card = href
            document = page.locator("#pickups ul.plain > li").first.inner_text()
            found = re.search(r"\d{1,2}\.\d{3}\.\d{3}", document)
            assert found, f"no document number in {document!r}"
            document = found.group(0)
        if pickup_card and opened >= 3:
            break
    assert pickup_card, f"none of vendedor1's {len(hrefs)} clients has a pickup person"

    page.goto(pickup_card)
    name = page.locator("main h1").inner_text()
    for section in ["Datos principales", "Datos comerciales", "Contactos", "Domicilios"]:
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    expect(page.locator("#contacts").get_by_role("link", name="Agregar")).to_be_visible()
    # Back-office sections are not his.
    expect(page.get_by_role("heading", name="Acciones")).to_have_count(0)
    expect(page.get_by_role("heading", name="Historial de cambios")).to_have_count(0)
    assert_fits(page)

    # A note goes to the top of the notes, signed by him.
    note = f"Visita e2e {uuid.uuid4().hex[:8]}: dejó pedido para el jueves."
    page.get_by_label("Nota", exact=True).fill(note)
    page.get_by_role("button", name="Agregar nota").click()
    expect(page.locator(".flash.success")).to_have_text("Nota agregada.")
    expect(page).to_have_url(re.compile(rf"{re.escape(pickup_card)}#notes$"))
    first_note = page.locator("#notes ul.notes > li").first
    expect(first_note).to_contain_text(note)
    expect(first_note).to_contain_text("Martín Acosta")
    expect(page.get_by_label("Nota", exact=True)).to_have_value("")

    # The pickup check answers in place, without reloading the card.
    mark_page(page)
    url = page.url
    verdict = page.locator("#verdict")
    page.locator("#document").fill(document)
    page.get_by_role("button", name="Verificar", exact=True).click()
    expect(verdict).to_contain_text("Puede retirar")
    expect(verdict).to_contain_text(document)
    expect(verdict.locator(".verdict.ok")).to_have_count(1)

    page.locator("#document").fill(MADE_UP_DOCUMENT)
    page.get_by_role("button", name="Verificar", exact=True).click()
    expect(verdict).to_contain_text("No puede retirar")
    expect(verdict).to_contain_text(MADE_UP_DOCUMENT)
    expect(verdict.locator(".verdict")).to_have_count(1)
    assert_same_page(page)
    assert page.url == url
    expect(page.locator("main h1")).to_have_text(name)
    expect(page.locator(".topbar")).to_have_count(1)

    assert_fits(page)
    page.evaluate("() => window.scrollTo(0, 0)")  # the sticky top bar at the top of the shot
    page.screenshot(path=str(artifacts / "card-vendedor1.png"), full_page=True)
    errors.assert_none()


def test_office_creates_edits_blocks_trashes_and_restores_a_client(
    page, sign_in, errors, artifacts
):
    sign_in("oficina")
    legal_name = f"Almacén Prueba E2E {uuid.uuid4().hex[:6]} S.R.L."
    trade_name = f"Kiosco Prueba {uuid.uuid4().hex[:6]}"
    reason = "Cheque rechazado en la última entrega"

    page.get_by_role("link", name="Nuevo cliente").click()
    expect(page).to_have_url(re.compile(r"/clients/new$"))
    expect(page.locator("main h1")).to_have_text("Nuevo cliente")
    code = page.get_by_label("Código", exact=True)
    expect(code).to_have_value(re.compile(r"^C\d{6}$"))
    code_value = code.input_value()
    page.get_by_label("Razón social o apellido y nombre").fill(legal_name)
    page.get_by_label("Vendedor", exact=True).select_option(label="Diego Ferreyra")
    assert_fits(page)
    page.screenshot(path=str(artifacts / "client-form-oficina.png"), full_page=True)

    page.get_by_role("button", name="Guardar").click()
    expect(page).to_have_url(CARD_URL)
    card_url = page.url
    expect(page.locator(".flash.success")).to_have_text(f"Cliente {legal_name} creado.")
    expect(page.locator("main h1")).to_have_text(legal_name)
    expect(page.locator(".card-head")).to_contain_text(code_value)
    expect(page.locator(".card-head .badge")).to_have_text(["Activo"])
    expect(card_value(page, "Vendedor")).to_have_text("Diego Ferreyra")
    assert_fits(page)

    # Edit the trade name: the card is known by it from then on.
    page.get_by_role("link", name="Editar ficha").click()
    expect(page).to_have_url(f"{card_url}/edit")
    expect(page.get_by_label("Razón social o apellido y nombre")).to_have_value(legal_name)
    page.get_by_label("Nombre de fantasía").fill(trade_name)
    page.get_by_role("button", name="Guardar").click()
    expect(page).to_have_url(card_url)
    expect(page.locator(".flash.success")).to_have_text("Cambios guardados.")
    expect(page.locator("main h1")).to_have_text(trade_name)
    expect(page.locator(".card-head")).to_contain_text(legal_name)

    # Block credit with a reason: a badge, an automatic note and the reason as a note.
    page.get_by_label("Motivo (opcional)").fill(reason)
    page.get_by_role("button", name="Bloquear crédito").click()
    expect(page).to_have_url(card_url)
    expect(page.locator(".flash.success")).to_have_text("Crédito bloqueado.")
    expect(page.locator(".card-head .badge")).to_have_text(["Activo", "Crédito bloqueado"])
    notes = page.locator("#notes ul.notes > li")
    expect(notes.filter(has_text=reason)).to_have_count(1)
    expect(notes.filter(has_text=reason)).to_contain_text("Lucía Benítez")
    automatic = page.locator("#notes ul.notes > li.auto")
    expect(automatic.filter(has_text="Crédito bloqueado.")).to_have_count(1)
    expect(page.get_by_role("button", name="Desbloquear crédito")).to_be_visible()

    # To the trash, gone from the list, and back.
    page.get_by_role("button", name="Enviar a la papelera").click()
    expect(page).to_have_url(re.compile(r"/clients/trash$"))
    expect(page.locator(".flash.success")).to_have_text("Cliente enviado a la papelera.")
    trashed = page.locator("ul.list > li", has_text=trade_name)
    expect(trashed).to_have_count(1)
    assert_fits(page)
    page.goto(f"/clients/?q={code_value}")
    expect(page.locator(ROWS)).to_have_count(0)
    page.goto("/clients/trash")
    trashed.get_by_role("button", name="Restaurar").click()
    expect(page).to_have_url(card_url)
    expect(page.locator(".flash.success")).to_have_text(f"Cliente {trade_name} restaurado.")
    expect(page.locator(".card-head .badge")).to_have_text(["Activo", "Crédito bloqueado"])
    expect(page.get_by_role("link", name="Editar ficha")).to_be_visible()
    expect(page.locator("ul.list > li", has_text=trade_name)).to_have_count(0)

    # The history lists every change, newest first, with who made it.
    history = history_entries(page)
    labels = [text.split(" · ")[0].strip() for text in history.all_inner_texts()]
    expected = [
        "Restaurado de la papelera",
        "Enviado a la papelera",
        "Nota agregada",
        "Cambio de datos",
        "Cambio de datos",
        "Alta del cliente",
    ]
    assert [label for label in labels if label in expected] == expected, labels
    expect(history.filter(has_text="Cambio de datos").nth(0)).to_contain_text(
        "Crédito bloqueado: No → Sí"
    )
    expect(history.filter(has_text="Cambio de datos").nth(1)).to_contain_text(
        f"Nombre de fantasía: — → {trade_name}"
    )
    for text in history.all_inner_texts():
        assert "Lucía Benítez" in text, text
    page.goto(f"/clients/?q={code_value}")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS)).to_contain_text(trade_name)
    errors.assert_none()


def test_office_filters_the_list_by_state(page, sign_in, errors):
    sign_in("oficina")
    # The demo data may have no delinquent client: make one through the card form.
    rows = page.locator(ROWS)
    expect(rows.first).to_be_visible()
    rows.first.locator("a.row").click()
    expect(page).to_have_url(CARD_URL)
    name = page.locator("main h1").inner_text()
    edit_card(page, lambda: page.get_by_label("Estado", exact=True).select_option(label="Moroso"))
    expect(page.locator(".card-head .badge").first).to_have_text("Moroso")

    page.goto("/clients/")
    total = list_total(page)
    mark_page(page)
    page.locator("details.filters > summary").click()
    with page.expect_response(
        lambda r: "state=delinquent" in r.url and r.request.method == "GET"
    ) as response_info:
        page.locator("details.filters").get_by_label("Estado").select_option(label="Moroso")
    assert response_info.value.request.headers.get("hx-request") == "true"

    expect(page).to_have_url(re.compile(r"/clients/\?(.+&)?state=delinquent(&|$)"))
    expect(rows.filter(has_text=name)).to_have_count(1)
    count = rows.count()
    assert 1 <= count < total, (count, total)
    assert list_total(page) == count
    expect(page.locator(f"{ROWS} .badges .badge:first-child")).to_have_text(["Moroso"] * count)
    assert_same_page(page)
    expect(page.locator("details.filters")).to_have_attribute("open", "")

    # The pushed address is a real one: opened afresh, it shows the same filtered list.
    page.reload()
    expect(page.locator("details.filters").get_by_label("Estado")).to_have_value("delinquent")
    expect(rows).to_have_count(count)
    errors.assert_none()


def test_invalid_client_form_shows_errors_and_creates_nothing(page, sign_in, errors):
    sign_in("oficina")
    total = list_total(page)

    page.goto("/clients/new")
    page.get_by_label("Nombre de fantasía").fill("Sin razón social")
    page.get_by_role("button", name="Guardar").click()

    expect(page.locator("form .flash.error")).to_have_text("Revisá los campos marcados.")
    legal_name = page.get_by_label("Razón social o apellido y nombre")
    expect(legal_name).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#legal_name-error")).to_have_text("Este campo es obligatorio.")
    expect(page.locator(".field-error")).to_have_count(1)
    # What was typed is kept, so only the marked field needs fixing.
    expect(page.get_by_label("Nombre de fantasía")).to_have_value("Sin razón social")
    expect(page).to_have_url(re.compile(r"/clients/new$"))

    page.goto("/clients/")
    assert list_total(page) == total
    page.locator("#q").fill("Sin razón social")
    expect(page.locator("#results .empty")).to_be_visible()
    errors.assert_none(ignore=STATUS_422)


@pytest.fixture
def desktop_page(browser, live_server, errors):
    """A desktop-sized tab (no phone emulation) that records its errors like `page`."""
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, locale="es-AR")
    watch_context(context, errors)
    page = watched_page(context, errors)
    yield page
    context.close()


def test_card_on_a_desktop_has_the_side_navigation(desktop_page, errors):
    page = desktop_page
    fill_login_form(page, "oficina", "demo1234")
    page.locator(ROW_LINKS).first.click()
    expect(page).to_have_url(CARD_URL)
    expect(page.get_by_role("heading", name="Historial de cambios")).to_be_visible()

    nav = page.locator("nav.bottomnav")
    box = nav.bounding_box()
    topbar = page.locator(".topbar").bounding_box()
    main = page.locator("main").bounding_box()
    assert box is not None and topbar is not None and main is not None
    assert box["x"] == 0, box
    assert box["height"] > box["width"], box  # a rail, not a bar
    assert box["y"] <= topbar["y"] + topbar["height"] + 1, (box, topbar)  # starts under the top bar
    assert box["y"] + box["height"] >= DESKTOP["height"] - 1, box  # and runs down the side
    assert main["x"] >= box["x"] + box["width"], (main, box)  # the card is beside it
    assert topbar["width"] == DESKTOP["width"], topbar
    links = nav.locator("a")
    first, last = links.first.bounding_box(), links.last.bounding_box()
    assert first is not None and last is not None
    assert last["y"] > first["y"] and last["x"] == first["x"], (first, last)  # stacked
    expect(links.filter(has_text="Clientes")).to_have_attribute("aria-current", "page")
    assert_fits(page, DESKTOP["width"])
    errors.assert_none()


# Saving the card form must not log changes nobody made (a zero IVA exemption read back as
# another number, an unticked yes/no attribute stored as "false").
def test_history_records_only_the_fields_that_changed(page, sign_in, errors):
    sign_in("oficina")
    page.locator(ROW_LINKS).nth(2).click()
    expect(page).to_have_url(CARD_URL)
    before = history_entries(page).count()
    trade_name = f"Autoservicio E2E {uuid.uuid4().hex[:6]}"

    edit_card(page, lambda: page.get_by_label("Nombre de fantasía").fill(trade_name))

    expect(page.locator("main h1")).to_have_text(trade_name)
    new = history_entries(page).all_inner_texts()[: history_entries(page).count() - before]
    assert len(new) == 1, new
    assert new[0].startswith("Cambio de datos"), new
    assert re.search(rf"\nNombre de fantasía: [^;]+ → {re.escape(trade_name)}$", new[0]), new
    errors.assert_none()


# App bug (reported, not fixed here): AUDIT_LABELS in app/core/templating.py has no entry for
# "client.attributes", the action services.set_custom_values records when a custom attribute
# changes, so the card's history shows the raw key "client.attributes" to the user.
def test_history_names_a_custom_attribute_change_in_spanish(page, sign_in, errors):
    sign_in("oficina")
    page.locator(ROW_LINKS).nth(3).click()
    expect(page).to_have_url(CARD_URL)
    current = card_value(page, "Superficie del local")
    size = "Hasta 20 m²" if current.all_inner_texts() == ["Más de 500 m²"] else "Más de 500 m²"

    edit_card(page, lambda: page.get_by_label("Superficie del local").select_option(size))

    expect(current).to_have_text(size)
    entry = history_entries(page).filter(has_text="Superficie del local: ").first
    expect(entry).to_contain_text(f"→ {size}")
    label = entry.inner_text().split(" · ")[0]
    assert not label.startswith("client."), label
    errors.assert_none()


# App bug (reported, not fixed here): in static/css/app.css the checkboxes of `.check` (line 133)
# and `ul.checks` (line 207) sit in flex rows without `flex-shrink: 0`, so at 360 px those whose
# label wraps ("Cuenta corriente", "Permite ventas en moneda extranjera", "Participa del
# programa de puntos") are squeezed to 17-19 px wide, smaller than the others and misaligned.
def test_client_form_checkboxes_keep_their_size_on_a_phone(page, sign_in, errors):
    sign_in("oficina")
    page.goto("/clients/new")
    for summary in page.locator("form details > summary").all():
        summary.click()
    boxes = page.locator("form input[type=checkbox]")
    assert boxes.count() >= 10
    sizes = {}
    for index in range(boxes.count()):
        box = boxes.nth(index).bounding_box()
        assert box is not None
        label = boxes.nth(index).evaluate(
            "(el) => (el.closest('label') || el.labels[0] || el).textContent.trim()"
        )
        sizes[label] = (round(box["width"], 1), round(box["height"], 1))
    squeezed = {label: size for label, size in sizes.items() if size != (22, 22)}
    assert not squeezed, squeezed
    errors.assert_none()
