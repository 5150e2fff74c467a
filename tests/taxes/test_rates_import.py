"""Importing an ARBA rates registry: streamed, malformed lines skipped by number, replaced whole."""

import random
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from stdnum.ar import cuit

from app.core.types import local_today
from app.extensions import db
from app.taxes.models import IibbJurisdiction, IibbRate
from app.taxes.rates_import import format_arba_line, import_file, import_rates, parse_arba_line
from tests import factories

DECEMBER = (date(2026, 12, 1), date(2026, 12, 31))
GOOD = "P;24112026;01122026;31122026;30712345671;D;N;S;2,50;05;"
# A wrong check digit: 30712345671 is valid, so ...672 is not.
MALFORMED = {
    "bad date": "P;24112026;32122026;31122026;30712345671;D;N;N;2,50;05;",
    "bad CUIT": "P;24112026;01122026;31122026;30712345672;D;N;N;2,50;05;",
    "bad rate": "P;24112026;01122026;31122026;30712345671;D;N;N;2.50;05;",
    "field count": "P;24112026;01122026;31122026;30712345671;D;N;2,50;05;",
}


def arba() -> IibbJurisdiction:
    jurisdiction = IibbJurisdiction(
        code="902",
        name="Buenos Aires",
        province="Buenos Aires",
        default_rate=Decimal("6.00"),
        minimum_amount=Decimal("50.00"),
    )
    db.session.add(jurisdiction)
    db.session.commit()
    return jurisdiction


def registry_lines(count: int, period=DECEMBER, seed: int = 1) -> list[str]:
    """`count` valid PadronRGSPer lines for distinct CUITs."""
    rng = random.Random(seed)
    lines = []
    for n in range(count):
        body = f"30{10_000_000 + n:08d}"
        row = {
            "published_on": date(2026, 11, 24),
            "valid_from": period[0],
            "valid_to": period[1],
            "tax_id": body + cuit.calc_check_digit(body),
            "contributor_type": rng.choice("CD"),
            "rate": Decimal(rng.choice(["0.00", "1.00", "2.50", "3.75"])),
            "rate_group": f"{rng.randrange(100):02d}",
        }
        lines.append(format_arba_line(row) + "\r\n")
    return lines


def count_rates() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(IibbRate))


def test_a_line_of_the_published_layout_is_parsed():
    row = parse_arba_line(GOOD + "\r\n")
    assert row == {
        "published_on": date(2026, 11, 24),
        "valid_from": date(2026, 12, 1),
        "valid_to": date(2026, 12, 31),
        "tax_id": "30712345671",
        "contributor_type": "D",
        "rate": Decimal("2.50"),
        "rate_group": "05",
    }
    assert parse_arba_line(GOOD.rstrip(";"))["rate"] == Decimal("2.50")


@pytest.mark.parametrize(
    "line",
    [
        *MALFORMED.values(),
        "R;24112026;01122026;31122026;30712345671;D;N;N;2,50;05;",
        "P;24112026;31122026;01122026;30712345671;D;N;N;2,50;05;",
        "P;24112026;01122026;31122026;30712345671;X;N;N;2,50;05;",
        "P;24112026;01122026;31122026;30712345671;D;Z;N;2,50;05;",
        "P;24112026;01122026;31122026;30712345671;D;N;N;-2,50;05;",
        "P;24112026;01122026;31122026;30712345671;D;N;N;2,50;5;",
    ],
)
def test_malformed_lines_are_refused(line):
    with pytest.raises(ValueError):
        parse_arba_line(line)


def test_a_file_of_thousands_of_lines_skips_malformed_ones_by_line_number(app, tmp_path):
    jurisdiction = arba()
    lines = registry_lines(3000)
    bad_at = {}
    for position, (kind, line) in zip([10, 777, 1500, 2999], MALFORMED.items(), strict=True):
        lines.insert(position - 1, line + "\r\n")
        bad_at[position] = kind
    path = tmp_path / "PadronRGSPer122026.txt"
    path.write_text("".join(lines), encoding="latin-1", newline="")
    progress = []

    result = import_file(
        jurisdiction, path, batch_size=500, progress_every=1000, on_progress=progress.append
    )

    assert result.imported == 3000
    assert result.skipped == 4
    assert result.lines == 3004
    assert [e.line_no for e in result.errors] == sorted(bad_at)
    assert "CUIT" in result.errors[1].message
    assert "alícuota" in result.errors[2].message
    assert "campos" in result.errors[3].message
    assert len(progress) == 3
    assert count_rates() == 3000
    assert result.periods == {DECEMBER}


def test_reimporting_replaces_the_same_period_and_keeps_others(app):
    jurisdiction = arba()
    november = (date(2026, 11, 1), date(2026, 11, 30))
    import_rates(jurisdiction, registry_lines(50, period=november))
    import_rates(jurisdiction, registry_lines(200))

    result = import_rates(jurisdiction, registry_lines(120, seed=2))

    assert result.replaced == 200
    assert result.imported == 120
    periods = db.session.execute(
        sa.select(IibbRate.valid_from, sa.func.count()).group_by(IibbRate.valid_from)
    ).all()
    assert dict(periods) == {november[0]: 50, DECEMBER[0]: 120}


def test_a_failed_import_leaves_the_previous_registry_whole(app):
    jurisdiction = arba()
    import_rates(jurisdiction, registry_lines(100))

    def broken():
        yield from registry_lines(30, seed=3)
        raise OSError("disk gone")

    with pytest.raises(OSError):
        import_rates(jurisdiction, broken(), batch_size=10)
    assert count_rates() == 100


def test_the_command_prints_progress_and_errors(app, runner, tmp_path):
    arba()
    path = tmp_path / "padron.txt"
    lines = registry_lines(250)
    lines.insert(5, MALFORMED["bad date"] + "\n")
    path.write_text("".join(lines), encoding="latin-1")

    result = runner.invoke(args=["iibb-import", "902", str(path), "--progress-every", "100"])

    assert result.exit_code == 0, result.output
    assert "100 líneas leídas" in result.output
    assert "Línea 6: vigencia desde" in result.output
    assert "250 alícuotas importadas, 1 líneas con errores" in result.output
    assert count_rates() == 250


def test_the_command_refuses_an_unknown_jurisdiction(app, runner, tmp_path):
    path = tmp_path / "padron.txt"
    path.write_text(GOOD + "\n")
    result = runner.invoke(args=["iibb-import", "999", str(path)])
    assert result.exit_code != 0
    assert "iibb-jurisdiction" in result.output


def test_the_jurisdiction_command_creates_and_changes_settings(app, runner):
    result = runner.invoke(
        args=[
            "iibb-jurisdiction",
            "902",
            "--name",
            "Buenos Aires",
            "--province",
            "Buenos Aires",
            "--default-rate",
            "6",
            "--minimum",
            "50",
            "--no-multilateral",
        ]
    )
    assert result.exit_code == 0, result.output
    runner.invoke(args=["iibb-jurisdiction", "902", "--inactive"])
    db.session.expire_all()
    jurisdiction = db.session.scalar(sa.select(IibbJurisdiction))
    assert jurisdiction.default_rate == Decimal("6.00")
    assert jurisdiction.minimum_amount == Decimal("50.00")
    assert not jurisdiction.include_multilateral
    assert not jurisdiction.active
    from app.audit.models import AuditEntry

    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["iibb.jurisdiction", "iibb.jurisdiction"]
    assert entries[0].before is None and entries[0].after["default_rate"] == "6.00"
    assert entries[1].before == {"active": True} and entries[1].after == {"active": False}


def test_the_card_shows_the_registry_rate(app, login_as):
    jurisdiction = arba()
    client = factories.make_client(province="Buenos Aires")
    today = local_today()
    db.session.add(
        IibbRate(
            jurisdiction_id=jurisdiction.id,
            tax_id=client.tax_id,
            published_on=today,
            valid_from=today.replace(day=1),
            valid_to=date(today.year + 1, 11, 30),
            rate=Decimal("2.50"),
            contributor_type="D",
            rate_group="05",
        )
    )
    other = factories.make_client(province="Buenos Aires")
    elsewhere = factories.make_client(province="Córdoba")
    db.session.commit()
    office = login_as("backoffice")

    html = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Percepción IIBB" in html
    assert f"2,50 % (padrón ARBA vigente hasta 30/11/{today.year + 1})" in html

    html = office.get(f"/clients/{other.id}").get_data(as_text=True)
    assert "6,00 % (no está en el padrón: alícuota general)" in html
    html = office.get(f"/clients/{elsewhere.id}").get_data(as_text=True)
    assert "Percepción IIBB" not in html
