"""The English translation: pages follow the user's locale, and the catalog is complete."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CATALOG_DIR = PROJECT_ROOT / "app" / "translations" / "en" / "LC_MESSAGES"
PO_FILE = CATALOG_DIR / "messages.po"
MO_FILE = CATALOG_DIR / "messages.mo"
# The source marks strings with gettext as `_` and lazy_gettext as `_l`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER_RE = re.compile(r"%(?:\(\w+\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def read_catalog():
    """The English catalog as Babel reads it."""
    with PO_FILE.open("rb") as f:
        return read_po(f, locale="en")


def translatable(catalog):
    """Every message but the header."""
    return [message for message in catalog if message.id]


def as_tuple(value) -> tuple[str, ...]:
    """A msgid or msgstr as a tuple: plural messages have several forms."""
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def singular(msgid) -> str:
    """The singular msgid, which names a message in failure reports."""
    return as_tuple(msgid)[0]


def extracted_msgids() -> set[str]:
    """The msgids the source holds today, found with babel.cfg's method map."""
    with (PROJECT_ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = extract_from_dir(PROJECT_ROOT, method_map, options_map, keywords=KEYWORDS)
    return {singular(msgid) for _filename, _lineno, msgid, _comments, _context in found}


def placeholders(text: str) -> set[str]:
    """The %-directives of a message, e.g. {"%(name)s", "%(n)d"}; "%%" is not one."""
    return {p for p in PLACEHOLDER_RE.findall(text) if p != "%%"}


@pytest.fixture
def compiled_catalog():
    """The .mo the app loads, compiled from the .po when missing or stale (as `make` does)."""
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime:
        catalog = read_catalog()
        with MO_FILE.open("wb") as f:
            write_mo(f, catalog)
    return MO_FILE


def test_english_user_sees_the_interface_in_english(compiled_catalog, login_as):
    browser = login_as("salesperson", locale="en")
    page = browser.get("/clients/").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "My clients" in page
    assert "Mis clientes" not in page
    for label in ("<span>Clients</span>", "<span>Orders</span>", "<span>Collections</span>"):
        assert label in page
    assert 'aria-label="Sections"' in page
    assert "You have no clients assigned yet." in page


def test_english_user_sees_form_labels_and_roles_in_english(compiled_catalog, login_as):
    browser = login_as("admin", locale="en")
    page = browser.get("/account").get_data(as_text=True)
    assert "My account" in page
    assert "Change password" in page
    assert "Current password" in page
    assert "<dd>Administrator</dd>" in page
    assert "<span>Approvals</span>" in page


def test_default_user_sees_the_interface_in_spanish(compiled_catalog, login_as):
    browser = login_as("salesperson")
    page = browser.get("/clients/").get_data(as_text=True)
    assert '<html lang="es-AR"' in page
    assert "Mis clientes" in page
    assert "My clients" not in page
    for label in ("<span>Clientes</span>", "<span>Pedidos</span>", "<span>Cobranzas</span>"):
        assert label in page


def test_every_english_message_is_translated_and_none_is_fuzzy():
    catalog = read_catalog()
    messages = translatable(catalog)
    assert messages, f"{PO_FILE} has no messages"
    empty = [singular(m.id) for m in messages if not all(as_tuple(m.string))]
    fuzzy = [singular(m.id) for m in messages if m.fuzzy]
    assert not (empty or fuzzy), f"in {PO_FILE.name}, untranslated: {empty}; fuzzy: {fuzzy}"


def test_every_string_in_the_source_is_in_the_english_catalog():
    in_source = extracted_msgids()
    assert in_source, "extraction found no strings: check babel.cfg"
    in_catalog = {singular(m.id) for m in translatable(read_catalog())}
    missing = sorted(in_source - in_catalog)
    assert not missing, (
        f"strings without an English translation in {PO_FILE.relative_to(PROJECT_ROOT)} "
        f"(extract them with babel.cfg and the keywords _ and _l, then translate): {missing}"
    )


def test_translations_keep_the_placeholders_of_the_original():
    wrong = []
    for message in translatable(read_catalog()):
        expected = set().union(*(placeholders(msgid) for msgid in as_tuple(message.id)))
        forms = as_tuple(message.string)
        found = set().union(*(placeholders(form) for form in forms))
        if found != expected:
            wrong.append(
                f"{singular(message.id)!r}: expected {sorted(expected)}, got {sorted(found)}"
            )
        # A lone "%" breaks the %-formatting of the translation (write "%%").
        wrong += [f"{form!r}: stray '%'" for form in forms if "%" in PLACEHOLDER_RE.sub("", form)]
    assert not wrong, "placeholders differ from the msgid:\n" + "\n".join(wrong)
