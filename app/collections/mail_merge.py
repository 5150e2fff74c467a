"""Merging a template with a client: the kinds of template, the merge fields and their data.

The HTML part keeps the text's line breaks as paragraphs and shows the overdue table as a real
table.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.clients.models import Client
from app.collections.mail_sandbox import EMPTY, CompiledText
from app.collections.models import EmailTemplate
from app.core.templating import date_short, money
from app.core.types import local_today
from app.ledger import accounts
from app.ledger import services as ledger
from app.ledger.parsing import parse_date

REMINDER, STATEMENT = "reminder", "statement"
KIND_LABELS = {
    REMINDER: _l("Recordatorio de vencimiento"),
    STATEMENT: _l("Resumen de cuenta (con el PDF adjunto)"),
}
STATEMENT_DAYS = 90
# The merge fields, documented on the template form.
FIELDS = {
    "cliente": _l("nombre de fantasía (o razón social si no tiene)"),
    "razon_social": _l("razón social"),
    "codigo": _l("código de cliente"),
    "saldo": _l("saldo de la cuenta, con su moneda"),
    "vencido": _l("importe vencido"),
    "tabla_vencidos": _l("tabla de comprobantes vencidos, lista para pegar"),
    "vencimientos": _l(
        "lista de comprobantes abiertos para recorrer con for: comprobante, fecha, vence, "
        "dias, cuota, importe, saldo, vencido"
    ),
    "proximo_vencimiento": _l("fecha del próximo vencimiento"),
    "cobrador": _l("nombre del cobrador"),
    "empresa": _l("nombre de la empresa"),
    "fecha": _l("fecha de hoy"),
    "periodo": _l("período del resumen (solo resúmenes de cuenta)"),
}
# The overdue table's place in the HTML part while line breaks become paragraphs.
_TABLE_MARK = "\x00tabla-vencidos\x00"


# --- merge data ------------------------------------------------------------------------------


@dataclass
class MergeData:
    """A client's merge fields, and the overdue rows the table is made of."""

    fields: dict[str, object]
    overdue: list[dict] = field(default_factory=list)
    overdue_totals: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Period:
    """The range of a statement."""

    date_from: date
    date_to: date

    @property
    def text(self) -> str:
        """01/01/2026 al 31/03/2026."""
        return _(
            "%(start)s al %(end)s", start=date_short(self.date_from), end=date_short(self.date_to)
        )


def default_period(today: date | None = None) -> Period:
    """The last STATEMENT_DAYS days up to today."""
    today = today or local_today()
    return Period(today - timedelta(days=STATEMENT_DAYS), today)


def parse_period(raw_from: str | None, raw_to: str | None, errors: dict) -> Period:
    """A chosen range (empty: the default one); messages go to errors."""
    default = default_period()
    date_from = parse_date(raw_from or default.date_from, "date_from", errors)
    date_to = parse_date(raw_to or default.date_to, "date_to", errors)
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = _("La fecha «hasta» no puede ser anterior a la fecha «desde».")
    if date_from is None or date_to is None or "date_to" in errors:
        return default
    return Period(date_from, date_to)


def _and(items: list[str]) -> str:
    """ "a", "a y b", "a, b y c"."""
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s y %(last)s", first=", ".join(items[:-1]), last=items[-1])


def _amounts(totals: Mapping[str, Decimal], fallback_currency: str) -> str:
    """Amounts per currency as text ("$ 1.000,00 y US$ 20,00"); zero in the account's own."""
    shown = [money(amount, currency) for currency, amount in totals.items() if amount]
    return _and(shown) if shown else money(Decimal("0"), fallback_currency)


def merge_data(client: Client, period: Period | None = None, as_of: date | None = None):
    """Everything the merge fields say about one client, from its current account."""
    as_of = as_of or local_today()
    summary = accounts.account_summary(client, as_of)
    items = accounts.open_items(client.id, as_of)
    counts = accounts.installment_counts({item.document.id for item in items})
    rows, overdue_rows = [], []
    late: dict[str, Decimal] = {}
    for item in items:
        part = item.installment
        total = counts.get(item.document.id, 1)
        row = {
            "comprobante": ledger.document_title(item.document),
            "fecha": date_short(item.document.date),
            "vence": date_short(part.due_date),
            "dias": item.days_overdue,
            "cuota": f"{part.number}/{total}" if total > 1 else "",
            "importe": money(part.amount, part.currency),
            "saldo": money(part.open_amount, part.currency),
            "vencido": part.due_date < as_of,
        }
        rows.append(row)
        if row["vencido"]:
            overdue_rows.append(row)
            late[part.currency] = late.get(part.currency, Decimal("0")) + part.open_amount
    upcoming = [item.installment.due_date for item in items if item.installment.due_date >= as_of]
    currency = client.currency or "ARS"
    fields = {
        "cliente": client.display_name,
        "razon_social": client.legal_name,
        "codigo": client.code,
        "saldo": _amounts({s.currency: s.balance for s in summary.currencies}, currency),
        "vencido": _amounts({s.currency: s.overdue for s in summary.currencies}, currency),
        "vencimientos": rows,
        "proximo_vencimiento": date_short(min(upcoming)) if upcoming else None,
        "cobrador": client.collector.full_name if client.collector else None,
        "empresa": current_app.config.get("COMPANY_NAME") or None,
        "fecha": date_short(as_of),
        "periodo": period.text if period else None,
    }
    totals = [money(amount, code) for code, amount in late.items()]
    return MergeData(fields, overdue_rows, totals)


def sample_data() -> MergeData:
    """Made-up data to try a template with when there is no client at hand."""
    today = local_today()
    rows = [
        {
            "comprobante": "FC A 0001-00001234",
            "fecha": date_short(today - timedelta(days=75)),
            "vence": date_short(today - timedelta(days=45)),
            "dias": 45,
            "cuota": "",
            "importe": money(Decimal("185400.00")),
            "saldo": money(Decimal("120000.00")),
            "vencido": True,
        },
        {
            "comprobante": "FC A 0001-00001290",
            "fecha": date_short(today - timedelta(days=40)),
            "vence": date_short(today - timedelta(days=10)),
            "dias": 10,
            "cuota": "",
            "importe": money(Decimal("64250.50")),
            "saldo": money(Decimal("64250.50")),
            "vencido": True,
        },
    ]
    fields = {
        "cliente": "Almacén Don José",
        "razon_social": "José Pereyra e Hijos S.R.L.",
        "codigo": "C00042",
        "saldo": money(Decimal("184250.50")),
        "vencido": money(Decimal("184250.50")),
        "vencimientos": rows,
        "proximo_vencimiento": date_short(today + timedelta(days=12)),
        "cobrador": "Ramón Ledesma",
        "empresa": current_app.config.get("COMPANY_NAME") or None,
        "fecha": date_short(today),
        "periodo": default_period(today).text,
    }
    return MergeData(fields, rows, [money(Decimal("184250.50"))])


# --- merging ---------------------------------------------------------------------------------


def overdue_text(data: MergeData) -> str:
    """The overdue table for the text part: one line per document and the total."""
    if not data.overdue:
        return _("No hay comprobantes vencidos.")
    lines = []
    for row in data.overdue:
        where = f"{row['comprobante']} ({_('cuota')} {row['cuota']})" if row["cuota"] else None
        lines.append(
            "- "
            + _(
                "%(document)s, venció el %(due)s (%(days)s días): %(amount)s",
                document=where or row["comprobante"],
                due=row["vence"],
                days=row["dias"],
                amount=row["saldo"],
            )
        )
    lines.append(_("Total vencido: %(total)s", total=_and(data.overdue_totals)))
    return "\n".join(lines)


def overdue_html(data: MergeData) -> Markup:
    """The overdue table for the HTML part; three columns, the days under the due date.

    Classes only, so the page's preview obeys the style sheet (and the CSP); the e-mail gets
    inline styles from `_inline_styles`, since mail programs drop style sheets.
    """
    if not data.overdue:
        return Markup("<p>{}</p>").format(_("No hay comprobantes vencidos."))
    head = Markup(
        '<table class="mail-table"><thead><tr><th>{}</th><th>{}</th><th class="num">{}</th>'
        "</tr></thead><tbody>"
    ).format(_("Comprobante"), _("Venció"), _("Saldo"))
    body = Markup("").join(
        Markup(
            '<tr><td>{}{}</td><td class="due">{}<br><small class="muted">{}</small></td>'
            '<td class="num">{}</td></tr>'
        ).format(
            row["comprobante"],
            Markup(" <small>({} {})</small>").format(_("cuota"), row["cuota"])
            if row["cuota"]
            else "",
            row["vence"],
            ngettext("%(num)d día", "%(num)d días", row["dias"]),
            row["saldo"],
        )
        for row in data.overdue
    )
    total = Markup(
        '</tbody><tfoot><tr><th colspan="2">{}</th><th class="num">{}</th></tr></tfoot></table>'
    ).format(_("Total vencido"), _and(data.overdue_totals))
    return head + body + total


_CELL = "padding:6px 8px;border-bottom:1px solid #d8dfdc;text-align:left;vertical-align:top"
_NUM = f"{_CELL};text-align:right;white-space:nowrap"
# The table's own tags (user text is escaped, so it never holds one of these).
_INLINE_STYLES = {
    '<table class="mail-table">': (
        '<table class="mail-table" style="border-collapse:collapse;width:100%;font-size:14px">'
    ),
    "<th>": f'<th style="{_CELL}">',
    '<th colspan="2">': f'<th colspan="2" style="{_CELL}">',
    '<th class="num">': f'<th class="num" style="{_NUM}">',
    "<td>": f'<td style="{_CELL}">',
    '<td class="due">': f'<td class="due" style="{_CELL};white-space:nowrap">',
    '<td class="num">': f'<td class="num" style="{_NUM}">',
    '<small class="muted">': '<small class="muted" style="color:#5d6b66">',
}
_INLINE_RE = re.compile("|".join(re.escape(tag) for tag in _INLINE_STYLES))


def _inline_styles(html: str) -> str:
    """The table's tags with inline styles, for mail programs."""
    return _INLINE_RE.sub(lambda match: _INLINE_STYLES[match.group(0)], html)


def _paragraphs(rendered: str, table: Markup) -> Markup:
    """Escaped text with line breaks as paragraphs, and the overdue table in its place."""
    text = rendered.replace("\r\n", "\n").strip()
    blocks = [block for block in re.split(r"\n[ \t]*\n", text) if block.strip()]
    html = "\n".join("<p>" + block.strip("\n").replace("\n", "<br>\n") + "</p>" for block in blocks)
    html = html.replace(_TABLE_MARK, f"</p>{table}<p>")
    html = re.sub(r"<p>(?:\s|<br>)*</p>", "", html)
    html = re.sub(r"(?:<br>\s*)+</p>", "</p>", html)
    html = re.sub(r"<p>\s*(?:<br>\s*)+", "<p>", html)
    return Markup(html)


@dataclass
class Merged:
    """A template merged with one client's data."""

    subject: str
    text: str
    html_body: Markup  # the part inside the body, as the preview shows it

    @property
    def html(self) -> str:
        """The HTML part: a small document with inline styles."""
        return (
            '<!doctype html><html lang="es"><head><meta charset="utf-8">'
            f"<title>{escape(self.subject)}</title></head>"
            '<body style="margin:0;padding:16px;background:#f4f6f5">'
            '<div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff;'
            "border-radius:8px;font-family:Arial,Helvetica,sans-serif;font-size:15px;"
            f'line-height:1.5;color:#1b2421">{_inline_styles(self.html_body)}</div></body></html>'
        )


class CompiledTemplate:
    """A template's subject and body, compiled once for a send run or a preview."""

    def __init__(self, subject: str, body: str):
        self.subject = CompiledText(subject)
        self.body = CompiledText(body)

    def merge(self, data: MergeData) -> Merged:
        """The e-mail for one client's data."""
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE") or "es_AR"):
            text_context = data.fields | {"tabla_vencidos": overdue_text(data)}
            html_context = data.fields | {"tabla_vencidos": Markup(_TABLE_MARK)}
            subject = " ".join(self.subject.render(text_context, html=False).split())
            text = self.body.render(text_context, html=False)
            html = _paragraphs(self.body.render(html_context, html=True), overdue_html(data))
        return Merged(subject=subject[:200] or EMPTY, text=text.strip() + "\n", html_body=html)


def merge(template: EmailTemplate, client: Client, period: Period | None = None) -> Merged:
    """One template merged with one client's data (what the client would get)."""
    compiled = CompiledTemplate(template.subject, template.body)
    return compiled.merge(client_merge_data(template.kind, client, period))


def client_merge_data(kind: str, client: Client, period: Period | None) -> MergeData:
    """The client's data, in the company's language; the period only for statements."""
    period = (period or default_period()) if kind == STATEMENT else None
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE") or "es_AR"):
        return merge_data(client, period)
