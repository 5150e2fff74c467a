"""The taxes domain's background job: importing a jurisdiction's IIBB rates registry."""

import io
import zipfile

from flask_babel import gettext as _

from app.extensions import db
from app.jobs.queue import JobContext, JobRefused, job
from app.taxes.models import IibbJurisdiction
from app.taxes.rates_import import ImportResult, import_rates

IIBB_IMPORT = "taxes.iibb_import"
SHOWN_ERRORS = 50
PROGRESS_LINES = 20_000


def registry_text(name: str, data: bytes) -> bytes:
    """The registry's text: the file itself, or the first text file of a ZIP (as ARBA
    publishes it)."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [each for each in archive.infolist() if not each.is_dir()]
        if not members:
            raise JobRefused(_("El ZIP %(name)s está vacío.", name=name))
        with archive.open(members[0]) as member:
            return member.read()


@job(IIBB_IMPORT, result_template="taxes/_iibb_result.html")
def iibb_import_job(ctx: JobContext) -> dict:
    """Import an uploaded registry file for a jurisdiction, replacing the periods it holds."""
    jurisdiction = db.session.get(IibbJurisdiction, ctx.params["jurisdiction_id"])
    (upload,) = ctx.input_files()
    if jurisdiction is None:
        raise JobRefused(_("La jurisdicción ya no existe."))
    try:
        text = registry_text(upload.name, upload.data)
    except zipfile.BadZipFile as error:
        raise JobRefused(_("El ZIP %(name)s está dañado.", name=upload.name)) from error
    total = text.count(b"\n") + (0 if text.endswith(b"\n") else 1)
    ctx.progress(0, total, _("Leyendo el padrón"))

    def progress(result: ImportResult) -> None:
        ctx.progress(result.lines, total, _("Leyendo el padrón"))

    lines = io.TextIOWrapper(io.BytesIO(text), encoding="latin-1", newline="")
    result = import_rates(jurisdiction, lines, progress_every=PROGRESS_LINES, on_progress=progress)
    if result.imported == 0:
        raise JobRefused(
            _("El archivo no tiene ninguna línea del padrón: ¿es el archivo correcto?"),
            _result_view(jurisdiction, upload.name, result),
        )
    return _result_view(jurisdiction, upload.name, result)


def _result_view(jurisdiction: IibbJurisdiction, name: str, result: ImportResult) -> dict:
    """What an import did, as plain values."""
    return {
        "jurisdiction": jurisdiction.name,
        "file": name,
        "lines": result.lines,
        "imported": result.imported,
        "skipped": result.skipped,
        "replaced": result.replaced,
        "periods": [
            [f"{start:%d/%m/%Y}", f"{end:%d/%m/%Y}"] for start, end in sorted(result.periods)
        ],
        "errors": [
            {"line": error.line_no, "message": error.message}
            for error in result.errors[:SHOWN_ERRORS]
        ],
    }
