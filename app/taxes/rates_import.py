"""Streamed import of a provincial IIBB rates registry (padrón de alícuotas), and its CLI.

Each jurisdiction says its registry's layout (`registry_format`, LAYOUTS below). Two are read:

ARBA (Buenos Aires, "Régimen General de Percepción", the PadronRGSPerMMAAAA.txt file inside
the monthly PadronRGS zip). One line per CUIT, fields separated by ";", usually with a
trailing ";" (accepted with or without it), Latin-1 text:

    P;24112026;01122026;31122026;30712345671;D;N;S;2,50;05;

     1  régimen                 "P" (perception); the retention file ("R") is refused
     2  publication date        DDMMYYYY
     3  valid from              DDMMYYYY
     4  valid to                DDMMYYYY, not before valid from
     5  CUIT                    11 digits, check digit verified (python-stdnum)
     6  contributor type        "C" Convenio Multilateral, "D" direct (local)
     7  alta/baja mark          "S" new in the registry, "N" unchanged, "B" dropped
     8  rate change mark        "S" the rate changed since the last registry, "N" it did not
     9  rate                    percent, decimal comma, two places: "0,00" to "99,99"
    10  group                   two digits (ARBA's risk group, "00" to "99")

AGIP (Ciudad de Buenos Aires, ARCIBA's "Padrón de Regímenes Generales", ARDJU008MMAAAA.txt,
published as a RAR: the office uploads the TXT inside, or a ZIP of it). One line per CUIT
holding both the perception and the retention rate, ";"-separated, Latin-1 text:

    24112026;01122026;31122026;30712345671;D;N;S;2,50;1,75;05;04;DISTRIBUIDORA SUR SA

     1  publication date        DDMMYYYY
     2  valid from              DDMMYYYY
     3  valid to                DDMMYYYY, not before valid from
     4  CUIT                    11 digits, check digit verified
     5  contributor type        "C" Convenio Multilateral, "D" direct (local)
     6  alta mark               "S" new in the registry, "N" unchanged, "B" dropped
     7  rate change mark        "S" the rate changed, "N" it did not
     8  perception rate         percent, decimal comma: "0,00" to "99,99" (the one stored)
     9  retention rate          percent, same form (checked, not stored: the company perceives)
    10  perception group        two digits (stored as the rate group)
    11  retention group         two digits (checked, not stored)
    12  company name            text (not stored: the client's card keeps its own)

Marks are checked but not stored: a registry is replaced whole, period by period.
A line that breaks any of these is reported with its line number and skipped; the import
goes on. Rows are inserted in batches, in one transaction: the previous rows of the same
jurisdiction and validity period are deleted in it too, so readers see the old registry
until the new one is committed whole.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.audit import services as audit
from app.clients.models import Client
from app.core.changes import reserve_change_seqs
from app.extensions import db
from app.taxes.models import IibbJurisdiction, IibbRate
from app.taxes.rules import TaxIdType, validate_tax_id

BATCH_SIZE = 5000
PROGRESS_EVERY = 100_000
MAX_KEPT_ERRORS = 1000
FIELDS = 10
AGIP_FIELDS = 12
CONTRIBUTOR_TYPES = {"C", "D"}
ALTA_BAJA_MARKS = {"S", "N", "B"}
RATE_CHANGE_MARKS = {"S", "N"}


class MalformedLine(ValueError):
    """A registry line that breaks the layout; the message says which field (Spanish)."""


@dataclass(frozen=True)
class LineError:
    """A skipped line: its number (from 1) and why."""

    line_no: int
    message: str


@dataclass
class ImportResult:
    """What an import did."""

    imported: int = 0
    skipped: int = 0
    lines: int = 0
    replaced: int = 0
    periods: set[tuple[date, date]] = field(default_factory=set)
    # The first MAX_KEPT_ERRORS only; `skipped` counts them all.
    errors: list[LineError] = field(default_factory=list)


def _date(text: str, name: str) -> date:
    """A DDMMYYYY date."""
    if len(text) != 8 or not text.isdigit():
        raise MalformedLine(f"{name}: se esperaba DDMMAAAA y vino {text!r}")
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise MalformedLine(f"{name}: la fecha {text!r} no existe") from None


def _rate(text: str) -> Decimal:
    """A percent with a decimal comma and two places."""
    whole, comma, cents = text.partition(",")
    if not (comma and whole.isdigit() and len(whole) <= 2 and cents.isdigit() and len(cents) == 2):
        raise MalformedLine(f"alícuota: se esperaba un número como 2,50 y vino {text!r}")
    return Decimal(f"{whole}.{cents}")


def parse_arba_line(line: str) -> dict:
    """One PadronRGSPer line as the values of an IibbRate row; MalformedLine if it is not."""
    parts = line.rstrip("\r\n").split(";")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # the trailing ";"
    if len(parts) != FIELDS:
        raise MalformedLine(f"se esperaban {FIELDS} campos y hay {len(parts)}")
    regime, published, since, until, tax_id, kind, alta_baja, change, rate, group = (
        p.strip() for p in parts
    )
    if regime != "P":
        raise MalformedLine(f"régimen: se esperaba P (percepción) y vino {regime!r}")
    valid_from, valid_to = _date(since, "vigencia desde"), _date(until, "vigencia hasta")
    if valid_to < valid_from:
        raise MalformedLine("la vigencia termina antes de empezar")
    check = validate_tax_id(TaxIdType.CUIT, tax_id)
    if not check.valid:
        raise MalformedLine(f"CUIT {tax_id!r}: {check.error}")
    if kind not in CONTRIBUTOR_TYPES:
        raise MalformedLine(f"tipo de contribuyente: se esperaba C o D y vino {kind!r}")
    if alta_baja not in ALTA_BAJA_MARKS or change not in RATE_CHANGE_MARKS:
        raise MalformedLine(
            f"marcas: se esperaba S, N o B y S o N y vino {alta_baja!r}, {change!r}"
        )
    if len(group) != 2 or not group.isdigit():
        raise MalformedLine(f"grupo: se esperaban dos dígitos y vino {group!r}")
    return {
        "published_on": _date(published, "fecha de publicación"),
        "valid_from": valid_from,
        "valid_to": valid_to,
        "tax_id": check.compact,
        "contributor_type": kind,
        "rate": _rate(rate),
        "rate_group": group,
    }


def parse_agip_line(line: str) -> dict:
    """One AGIP Padrón de Regímenes Generales line as the values of an IibbRate row."""
    parts = line.rstrip("\r\n").split(";")
    if len(parts) > AGIP_FIELDS and parts[-1].strip() == "":
        parts.pop()  # a trailing ";"
    if len(parts) > AGIP_FIELDS:  # a ";" inside the company name
        parts[AGIP_FIELDS - 1 :] = [";".join(parts[AGIP_FIELDS - 1 :])]
    if len(parts) != AGIP_FIELDS:
        raise MalformedLine(f"se esperaban {AGIP_FIELDS} campos y hay {len(parts)}")
    published, since, until, tax_id, kind, alta, change, rate, retention = (
        p.strip() for p in parts[:9]
    )
    group, retention_group = parts[9].strip(), parts[10].strip()
    valid_from, valid_to = _date(since, "vigencia desde"), _date(until, "vigencia hasta")
    if valid_to < valid_from:
        raise MalformedLine("la vigencia termina antes de empezar")
    check = validate_tax_id(TaxIdType.CUIT, tax_id)
    if not check.valid:
        raise MalformedLine(f"CUIT {tax_id!r}: {check.error}")
    if kind not in CONTRIBUTOR_TYPES:
        raise MalformedLine(f"tipo de contribuyente: se esperaba C o D y vino {kind!r}")
    if alta not in ALTA_BAJA_MARKS or change not in RATE_CHANGE_MARKS:
        raise MalformedLine(f"marcas: se esperaba S, N o B y S o N y vino {alta!r}, {change!r}")
    perception = _rate(rate)
    _rate(retention)
    for name, value in (("grupo de percepción", group), ("grupo de retención", retention_group)):
        if len(value) != 2 or not value.isdigit():
            raise MalformedLine(f"{name}: se esperaban dos dígitos y vino {value!r}")
    return {
        "published_on": _date(published, "fecha de publicación"),
        "valid_from": valid_from,
        "valid_to": valid_to,
        "tax_id": check.compact,
        "contributor_type": kind,
        "rate": perception,
        "rate_group": group,
    }


# registry_format -> the parser of one line of that layout.
LAYOUTS: dict[str, Callable[[str], dict]] = {"ARBA": parse_arba_line, "AGIP": parse_agip_line}


def layout_parser(registry_format: str) -> Callable[[str], dict]:
    """The line parser of a jurisdiction's layout; ARBA's when the setting is unknown."""
    return LAYOUTS.get(registry_format, parse_arba_line)


def import_rates(
    jurisdiction: IibbJurisdiction,
    lines: Iterable[str],
    *,
    batch_size: int = BATCH_SIZE,
    progress_every: int = PROGRESS_EVERY,
    on_progress: Callable[[ImportResult], None] | None = None,
    on_error: Callable[[LineError], None] | None = None,
) -> ImportResult:
    """Import registry lines as they come, replacing the same periods; commits once at the end.

    On any exception the transaction is rolled back and the previous registry stays whole.
    """
    result = ImportResult()
    table = IibbRate.__table__
    connection = db.session.connection()
    batch: list[dict] = []
    left: set[int] = set()  # clients whose CUIT had rows in a replaced period
    parse_line = layout_parser(jurisdiction.registry_format)
    try:
        for line_no, line in enumerate(lines, 1):
            result.lines = line_no
            if line.strip():
                try:
                    row = parse_line(line)
                except MalformedLine as exc:
                    error = LineError(line_no, str(exc))
                    result.skipped += 1
                    if len(result.errors) < MAX_KEPT_ERRORS:
                        result.errors.append(error)
                    if on_error:
                        on_error(error)
                else:
                    period = (row["valid_from"], row["valid_to"])
                    if period not in result.periods:
                        result.periods.add(period)
                        left |= _clients_in(jurisdiction.id, [period])
                        result.replaced += _delete_period(jurisdiction.id, *period)
                    batch.append(row | {"jurisdiction_id": jurisdiction.id})
                    if len(batch) >= batch_size:
                        connection.execute(table.insert(), batch)
                        result.imported += len(batch)
                        batch = []
            if on_progress and line_no % progress_every == 0:
                on_progress(result)
        if batch:
            connection.execute(table.insert(), batch)
            result.imported += len(batch)
        _touch(left | _clients_in(jurisdiction.id, result.periods))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _clients_in(jurisdiction_id: int, periods) -> set[int]:
    """Ids of the clients whose CUIT has rows of the jurisdiction in these periods."""
    if not periods:
        return set()
    in_periods = sa.or_(
        *(sa.and_(IibbRate.valid_from == a, IibbRate.valid_to == b) for a, b in periods)
    )
    cuits = sa.select(IibbRate.tax_id).where(
        IibbRate.jurisdiction_id == jurisdiction_id, in_periods
    )
    return set(db.session.scalars(sa.select(Client.id).where(Client.tax_id.in_(cuits))))


def _touch(client_ids: set[int], chunk: int = 1000) -> None:
    """Give these clients a new change number, so phones fetch their registry rows again.

    Taken last, just before the commit: the change counter's lock is held until then.
    """
    if not client_ids:
        return
    seq = reserve_change_seqs(db.session.connection(), 1)[0]
    ids = sorted(client_ids)
    for start in range(0, len(ids), chunk):
        db.session.execute(
            sa.update(Client)
            .where(Client.id.in_(ids[start : start + chunk]))
            .values(change_seq=seq)
            .execution_options(synchronize_session=False)
        )


def _delete_period(jurisdiction_id: int, valid_from: date, valid_to: date) -> int:
    """Delete a jurisdiction's rows for one validity period; how many there were."""
    deleted = db.session.execute(
        sa.delete(IibbRate).where(
            IibbRate.jurisdiction_id == jurisdiction_id,
            IibbRate.valid_from == valid_from,
            IibbRate.valid_to == valid_to,
        )
    )
    return deleted.rowcount


def import_file(jurisdiction: IibbJurisdiction, path: Path, **options) -> ImportResult:
    """Import a registry file, read line by line (Latin-1, as ARBA and AGIP publish them)."""
    with path.open(encoding="latin-1", newline="") as lines:
        return import_rates(jurisdiction, lines, **options)


def find_jurisdiction(code_or_name: str) -> IibbJurisdiction | None:
    """A configured jurisdiction by code ("902") or name ("Buenos Aires")."""
    return db.session.scalar(
        sa.select(IibbJurisdiction).where(
            sa.or_(
                IibbJurisdiction.code == code_or_name,
                sa.func.lower(IibbJurisdiction.name) == code_or_name.lower(),
            )
        )
    )


@click.command("iibb-import")
@click.argument("jurisdiction")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--progress-every", default=PROGRESS_EVERY, show_default=True, type=int)
@with_appcontext
def iibb_import_command(jurisdiction: str, file: Path, progress_every: int) -> None:
    """Import a padrón de alícuotas file for a configured jurisdiction, in its layout (ARBA
    PadronRGSPer or AGIP ARDJU008)."""
    found = find_jurisdiction(jurisdiction)
    if found is None:
        raise click.ClickException(
            f"No hay una jurisdicción configurada con código o nombre {jurisdiction!r} "
            "(ver flask iibb-jurisdiction)."
        )
    started = time.perf_counter()

    def progress(result: ImportResult) -> None:
        click.echo(
            f"{result.lines} líneas leídas, {result.imported} importadas, "
            f"{result.skipped} con errores ({time.perf_counter() - started:.1f} s)"
        )

    def error(line: LineError) -> None:
        click.echo(f"Línea {line.line_no}: {line.message}", err=True)

    result = import_file(
        found, file, progress_every=max(progress_every, 1), on_progress=progress, on_error=error
    )
    periods = ", ".join(f"{a:%d/%m/%Y}–{b:%d/%m/%Y}" for a, b in sorted(result.periods)) or "—"
    click.echo(
        f"{found.name}: {result.imported} alícuotas importadas, {result.skipped} líneas con "
        f"errores salteadas, {result.replaced} reemplazadas (vigencia {periods}), "
        f"en {time.perf_counter() - started:.1f} s."
    )


@click.command("iibb-jurisdiction")
@click.argument("code")
@click.option("--name", help="Nombre, p. ej. Buenos Aires.")
@click.option("--province", help="Provincia de la ficha cuyos clientes quedan alcanzados.")
@click.option("--default-rate", type=Decimal, help="Alícuota (%) para quien no está en el padrón.")
@click.option("--no-default-rate", is_flag=True, help="No percibir a quien no está en el padrón.")
@click.option("--minimum", type=Decimal, help="Monto neto mínimo sujeto a percepción.")
@click.option(
    "--multilateral/--no-multilateral", default=None, help="Incluir Convenio Multilateral."
)
@click.option("--active/--inactive", default=None)
@click.option(
    "--layout", type=click.Choice(sorted(LAYOUTS)), help="Formato del padrón (ARBA o AGIP)."
)
@with_appcontext
def iibb_jurisdiction_command(code: str, **options) -> None:
    """Create or change a jurisdiction's perception settings."""
    jurisdiction = db.session.scalar(
        sa.select(IibbJurisdiction).where(IibbJurisdiction.code == code)
    )
    fields = (
        "name",
        "province",
        "default_rate",
        "minimum_amount",
        "include_multilateral",
        "active",
        "registry_format",
    )

    def view() -> dict:
        values = {f: getattr(jurisdiction, f) for f in fields}
        return {f: f"{v:.2f}" if isinstance(v, Decimal) else v for f, v in values.items()}

    before = None
    if jurisdiction is None:
        if not options["name"] or not options["province"]:
            raise click.UsageError("Una jurisdicción nueva necesita --name y --province.")
        jurisdiction = IibbJurisdiction(code=code)
        db.session.add(jurisdiction)
    else:
        before = view()
    columns = {
        "name": options["name"],
        "province": options["province"],
        "default_rate": options["default_rate"],
        "minimum_amount": options["minimum"],
        "include_multilateral": options["multilateral"],
        "active": options["active"],
        "registry_format": options["layout"],
    }
    for column, value in columns.items():
        if value is not None:
            setattr(jurisdiction, column, value)
    if options["no_default_rate"]:
        jurisdiction.default_rate = None
    db.session.flush()
    audit.record("iibb.jurisdiction", "iibb_jurisdiction", jurisdiction.code, before, view())
    db.session.commit()
    click.echo(
        f"{jurisdiction.code} {jurisdiction.name}: alícuota por defecto "
        f"{jurisdiction.default_rate if jurisdiction.default_rate is not None else '—'}, mínimo "
        f"{jurisdiction.minimum_amount}, Convenio Multilateral "
        f"{'incluido' if jurisdiction.include_multilateral else 'excluido'}, "
        f"{'activa' if jurisdiction.active else 'inactiva'}, padrón {jurisdiction.registry_format}."
    )


def format_arba_line(row: dict, alta_baja: str = "N", rate_change: str = "N") -> str:
    """A registry row as a PadronRGSPer line (the inverse of parse_arba_line)."""
    return ";".join(
        [
            "P",
            f"{row['published_on']:%d%m%Y}",
            f"{row['valid_from']:%d%m%Y}",
            f"{row['valid_to']:%d%m%Y}",
            row["tax_id"],
            row["contributor_type"],
            alta_baja,
            rate_change,
            f"{row['rate']:.2f}".replace(".", ","),
            row["rate_group"],
            "",
        ]
    )
