"""AGIP's "Padrón de Regímenes Generales" (ARDJU008): parsed, imported by the upload page and the
command in the layout the jurisdiction says, malformed lines skipped by number."""

import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.taxes.models import IibbJurisdiction, IibbRate
from app.taxes.rates_import import import_rates, parse_agip_line
from tests.conftest import csrf_from
from tests.taxes.test_rates_import import GOOD as ARBA_GOOD
from tests.taxes.test_rates_import import count_rates

# Publication, valid from, valid to, CUIT, type, alta mark, rate mark, perception rate,
# retention rate, perception group, retention group, company name.
AGIP_FILE = (
    "24112026;01122026;31122026;30712345671;D;N;S;2,50;1,75;05;04;DISTRIBUIDORA SUR SA\r\n"
    "24112026;01122026;31122026;20172543597;C;S;N;0,50;0,25;01;01;GOMEZ JUAN CARLOS\r\n"
    "24112026;01122026;31122026;27280339844;D;N;N;0,00;0,00;00;00;ALMACEN LA ESQUINA; SRL\r\n"
    "24112026;01122026;31122026;30500010912;D;N;N;4,00;3,00;12;11;KIOSCO EL SOL SA;\r\n"
)
MALFORMED = {
    "bad CUIT": "24112026;01122026;31122026;30712345672;D;N;N;2,50;1,75;05;04;MAL CUIT SA",
    "bad date": "24112026;31112026;31122026;30712345671;D;N;N;2,50;1,75;05;04;MAL FECHA SA",
    "bad rate": "24112026;01122026;31122026;30712345671;D;N;N;2.50;1,75;05;04;MAL ALICUOTA",
    "retention rate": "24112026;01122026;31122026;30712345671;D;N;N;2,50;x;05;04;MAL RET",
    "field count": "24112026;01122026;31122026;30712345671;D;N;N;2,50;05;04;CORTA",
    "type": "24112026;01122026;31122026;30712345671;X;N;N;2,50;1,75;05;04;MAL TIPO",
    "group": "24112026;01122026;31122026;30712345671;D;N;N;2,50;1,75;5;04;MAL GRUPO",
    "arba line": ARBA_GOOD,
}


def agip() -> IibbJurisdiction:
    jurisdiction = IibbJurisdiction(
        code="901",
        name="Ciudad de Buenos Aires",
        province="Ciudad Autónoma de Buenos Aires",
        registry_format="AGIP",
        default_rate=None,
        minimum_amount=Decimal("0"),
    )
    db.session.add(jurisdiction)
    db.session.commit()
    return jurisdiction


def test_a_line_of_agips_layout_keeps_the_perception_rate_and_group():
    row = parse_agip_line(AGIP_FILE.splitlines()[0])
    assert row == {
        "published_on": date(2026, 11, 24),
        "valid_from": date(2026, 12, 1),
        "valid_to": date(2026, 12, 31),
        "tax_id": "30712345671",
        "contributor_type": "D",
        "rate": Decimal("2.50"),
        "rate_group": "05",
    }
    # A ";" in the company name and a trailing ";" are both read.
    assert parse_agip_line(AGIP_FILE.splitlines()[2])["tax_id"] == "27280339844"
    assert parse_agip_line(AGIP_FILE.splitlines()[3])["rate"] == Decimal("4.00")


@pytest.mark.parametrize("line", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_agip_lines_are_refused(line):
    with pytest.raises(ValueError):
        parse_agip_line(line)


def test_an_agip_file_is_imported_skipping_malformed_lines(app):
    jurisdiction = agip()
    lines = AGIP_FILE.splitlines(keepends=True)
    lines.insert(2, MALFORMED["bad CUIT"] + "\r\n")
    lines.append(MALFORMED["arba line"] + "\r\n")

    result = import_rates(jurisdiction, lines)

    assert (result.imported, result.skipped) == (4, 2)
    assert [e.line_no for e in result.errors] == [3, 6]
    assert "CUIT" in result.errors[0].message and "campos" in result.errors[1].message
    rates = dict(db.session.execute(sa.select(IibbRate.tax_id, IibbRate.rate)).all())
    assert rates == {
        "30712345671": Decimal("2.50"),
        "20172543597": Decimal("0.50"),
        "27280339844": Decimal("0.00"),
        "30500010912": Decimal("4.00"),
    }


def test_an_arba_jurisdiction_refuses_an_agip_file(app):
    from tests.taxes.test_rates_import import arba

    result = import_rates(arba(), AGIP_FILE.splitlines(keepends=True))
    assert result.imported == 0 and result.skipped == 4


def test_the_upload_page_imports_in_the_jurisdictions_layout(app, login_as):
    jurisdiction = agip()
    office = login_as("backoffice")
    page = office.get("/taxes/iibb").get_data(as_text=True)
    assert "901 · Ciudad de Buenos Aires (AGIP)" in page
    response = office.client.post(
        "/taxes/iibb",
        data={
            "csrf_token": csrf_from(page),
            "jurisdiction_id": str(jurisdiction.id),
            "file": (io.BytesIO(AGIP_FILE.encode("latin-1")), "ARDJU008122026.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert count_rates() == 4
    report = office.get(response.location).get_data(as_text=True)
    assert "Padrón de IIBB: Ciudad de Buenos Aires" in report and "<strong>4</strong>" in report


def test_the_command_imports_an_agip_file_and_sets_the_layout(app, runner, tmp_path):
    created = runner.invoke(
        args=[
            "iibb-jurisdiction",
            "901",
            "--name",
            "CABA",
            "--province",
            "Ciudad Autónoma de Buenos Aires",
            "--layout",
            "AGIP",
        ]
    )
    assert created.exit_code == 0, created.output
    assert "padrón AGIP" in created.output
    path = tmp_path / "ARDJU008122026.txt"
    path.write_text(AGIP_FILE + MALFORMED["bad rate"] + "\r\n", encoding="latin-1", newline="")

    result = runner.invoke(args=["iibb-import", "901", str(path)])

    assert result.exit_code == 0, result.output
    assert "Línea 5: alícuota" in result.output
    assert "4 alícuotas importadas, 1 líneas con errores" in result.output
    assert count_rates() == 4


def test_the_demo_has_an_agip_jurisdiction_with_rates(app):
    from app.demo.commands import load_demo_data

    load_demo_data(clients=60, seed=1, history=False)
    caba = db.session.scalar(sa.select(IibbJurisdiction).where(IibbJurisdiction.code == "901"))
    assert caba.registry_format == "AGIP" and caba.default_rate is None
    rates = db.session.scalar(
        sa.select(sa.func.count()).select_from(IibbRate).where(IibbRate.jurisdiction_id == caba.id)
    )
    assert rates > 0
