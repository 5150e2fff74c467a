"""The client file's columns and how one row's cells become a card's values, as plain checks.

One row is one client with its main contact, its fiscal address and its visit plan. An empty
cell keeps what the client has (a new client's default): an import never clears a value.
Reference values (zone, type, salesperson...) are resolved through Lookups built by the caller.
"""

import dataclasses
import re
from dataclasses import asdict, dataclass
from datetime import time
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext

from app.clients.forms import STATE_LABELS, TAX_ID_LABELS
from app.clients.models import ClientState
from app.clients.rules import compact_document
from app.clients.visit_plan import (
    PLAN_MESSAGES,
    WEEKDAYS,
    PlanError,
    check_frequency,
    check_position,
    day_names,
    parse_window,
)
from app.core.email import normalize_email
from app.core.spreadsheets import Column, Formula, RowError, cell_text, header_key, parse_number
from app.core.text import fold
from app.taxes.rules import IVA_CONDITIONS, TaxIdType, validate_tax_id

C = Column
CLIENT_COLUMNS = (
    C("code", "codigo", False, ("codigo", "cod", "code", "codcliente", "codigocliente"),
      ("C000101", "C000102")),
    C("legal_name", "razon_social", True,
      ("razonsocial", "razon", "legalname", "apellidoynombre", "nombreorazonsocial"),
      ("Almacén Don José S.R.L.", "Pérez, María Laura")),
    C("trade_name", "nombre_fantasia", False,
      ("nombrefantasia", "nombredefantasia", "fantasia", "tradename", "nombrecomercial"),
      ("Almacén Don José", "Kiosco La Esquina")),
    C("tax_id_type", "tipo_documento", False, ("tipodocumento", "tipodoc", "taxidtype"),
      ("CUIT", "DNI")),
    C("tax_id", "numero_documento", False,
      ("numerodocumento", "nrodocumento", "nrodoc", "documento", "cuit", "taxid", "dni", "rut"),
      ("30-71234567-1", "23.456.789")),
    C("iva_condition", "condicion_iva", False,
      ("condicioniva", "iva", "condicionfrentealiva", "condicionantealiva", "ivacondition"),
      ("Responsable Inscripto", "Consumidor Final")),
    C("state", "estado", False, ("estado", "state"), ("Activo", "Potencial")),
    C("client_type", "tipo_cliente", False, ("tipocliente", "tipodecliente", "clienttype", "tipo"),
      ("MIN", "Kiosco")),
    C("price_list", "lista_precios", False,
      ("listaprecios", "listadeprecios", "lista", "pricelist"), ("MAY", "Minorista")),
    C("sale_condition", "condicion_venta", False,
      ("condicionventa", "condiciondeventa", "salecondition", "condicion"), ("CC30", "Contado")),
    C("salesperson", "vendedor", False, ("vendedor", "preventista", "salesperson"),
      ("vendedor1", "Juan Pérez")),
    C("collector", "cobrador", False, ("cobrador", "collector"), ("cobrador1", "")),
    C("sales_zone", "zona_venta", False, ("zonaventa", "zonadeventa", "zona", "saleszone"),
      ("NORTE", "Centro")),
    C("delivery_zone", "zona_reparto", False, ("zonareparto", "zonadereparto", "deliveryzone"),
      ("NORTE", "")),
    C("email", "email", False, ("email", "correo", "correoelectronico", "mail"),
      ("compras@donjose.com.ar", "")),
    C("phone", "telefono", False, ("telefono", "tel", "phone"), ("011 4555-1234", "")),
    C("mobile", "celular", False, ("celular", "movil", "mobile", "whatsapp"),
      ("11 5555-6789", "11 4444-1111")),
    C("street", "direccion", False, ("direccion", "domicilio", "calle", "calleynumero", "street"),
      ("Av. San Martín 1234", "Belgrano 56")),
    C("city", "localidad", False, ("localidad", "ciudad", "city"), ("Morón", "Haedo")),
    C("province", "provincia", False, ("provincia", "province"), ("Buenos Aires", "Buenos Aires")),
    C("postal_code", "codigo_postal", False, ("codigopostal", "cp", "postalcode"),
      ("1708", "1706")),
    C("latitude", "latitud", False, ("latitud", "lat", "latitude"), ("-34,653210", "")),
    C("longitude", "longitud", False, ("longitud", "lng", "lon", "longitude"),
      ("-58,619870", "")),
    C("contact_name", "contacto_nombre", False, ("contactonombre", "contacto", "contactname"),
      ("José Fernández", "")),
    C("contact_role", "contacto_cargo", False, ("contactocargo", "cargo", "contactrole"),
      ("Encargado", "")),
    C("contact_phone", "contacto_telefono", False, ("contactotelefono", "contactphone"),
      ("11 5555-0000", "")),
    C("contact_email", "contacto_email", False,
      ("contactoemail", "contactocorreo", "contactemail"), ("jose@donjose.com.ar", "")),
    C("visit_days", "dias_visita", False, ("diasvisita", "diasdevisita", "visitdays", "dias"),
      ("lun, jue", "mié")),
    C("visit_every_weeks", "frecuencia_visita", False,
      ("frecuenciavisita", "frecuencia", "cadasemanas", "visiteveryweeks"), ("1", "2")),
    C("visit_window", "horario_visita", False, ("horariovisita", "horario", "visitwindow"),
      ("08:30-12:00", "")),
    C("route_position", "orden_ruta", False, ("ordenruta", "orden", "routeposition"), ("7", "")),
)  # fmt: skip
HEADERS = {column.field: column.header for column in CLIENT_COLUMNS}
REFERENCES = {
    "client_type": "client_type_id",
    "price_list": "price_list_id",
    "sale_condition": "sale_condition_id",
    "salesperson": "salesperson_id",
    "collector": "collector_id",
    "sales_zone": "sales_zone_id",
    "delivery_zone": "delivery_zone_id",
}
TEXTS = {  # card field -> longest text the card keeps
    "legal_name": 160, "trade_name": 160, "phone": 40, "mobile": 40, "street": 160, "city": 80,
    "province": 60, "postal_code": 10,
}  # fmt: skip
CONTACT_TEXTS = {"contact_name": 120, "contact_role": 80, "contact_phone": 40}
DAY_TEXTS = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")
# the first two letters of a day's name, in Spanish or in English
_DAY_PREFIXES = {"lu": 0, "ma": 1, "mi": 2, "ju": 3, "vi": 4, "sa": 5, "do": 6}
_DAY_PREFIXES |= {"mo": 0, "tu": 1, "we": 2, "th": 3, "fr": 4, "su": 6}
_CODE = re.compile(r"^[A-Za-z0-9._-]+$")
MAX_ERRORS = 1000  # errors kept in a report; all of them are counted


@dataclass
class Lookup:
    """A reference table's rows a file may name by code (first) or by name, folded."""

    by_code: dict[str, int]
    by_name: dict[str, int | None]  # None: two rows share that name

    @classmethod
    def of(cls, rows: list[tuple[int, str, str]]) -> "Lookup":
        """From (id, code, name) rows."""
        by_name: dict[str, int | None] = {}
        for row_id, _code, name in rows:
            key = fold(name or "").strip()
            by_name[key] = None if key in by_name and by_name[key] != row_id else row_id
        return cls({fold(code or "").strip(): row_id for row_id, code, _n in rows}, by_name)

    def find(self, text: str) -> int:
        """The row's id; ValueError with the Spanish reason when none or two rows match."""
        key = fold(text).strip()
        if key in self.by_code:
            return self.by_code[key]
        if key not in self.by_name:
            raise ValueError(_("No existe «%(value)s»: escribí su código o su nombre.", value=text))
        if self.by_name[key] is None:
            raise ValueError(_("Hay más de uno con ese nombre: escribí el código."))
        return self.by_name[key]


@dataclass
class RowValues:
    """What one row asks for: card fields, contact and address fields (each only when given)."""

    card: dict
    contact: dict
    address: dict
    errors: dict[str, str]  # column field -> Spanish message


def choices(options: dict[str, object]) -> dict[str, str]:
    """Folded value and label (in the user's language and in Spanish) -> value, read once."""
    return {
        fold(str(key)).strip(): value for value, label in options.items() for key in (value, label)
    }


STATES = {state.value: STATE_LABELS[state] for state in ClientState}
TAX_ID_TYPES = {kind.value: TAX_ID_LABELS[kind] for kind in TaxIdType}
IVA_OPTIONS = {condition: condition for condition in IVA_CONDITIONS}


def fixed_options() -> dict[str, dict[str, str]]:
    """The fixed lists a row's cells are read against (`options` of read_row)."""
    return {"state": choices(STATES), "tax_id_type": choices(TAX_ID_TYPES),
            "iva_condition": choices(IVA_OPTIONS)}  # fmt: skip


def visit_days_mask(text: str) -> int:
    """ "lun, jue" (or "lunes y jueves", "mon thu") -> the weekday bit mask; PlanError."""
    mask = 0
    for word in re.split(r"[^a-z]+", fold(text)):
        if not word or word == "y":
            continue
        day = _DAY_PREFIXES.get(word[:2])
        if day is None:
            raise PlanError("weekday")
        mask |= 1 << day
    return mask


def visit_days_text(mask: int | None) -> str:
    """The mask as the file writes it: "lun, jue"."""
    return ", ".join(DAY_TEXTS[WEEKDAYS.index(name)] for name in day_names(mask))


def _coordinate(raw: object, limit: int) -> Decimal:
    """A latitude or longitude with six places; ValueError outside ±limit."""
    number = parse_number(raw)
    if number is None or not -limit <= number <= limit:
        raise ValueError(_("Entre -%(limit)d y %(limit)d.", limit=limit))
    return number.quantize(Decimal("0.000001"))


def read_row(
    raw: dict[str, object],
    lookups: dict[str, Lookup],
    options: dict[str, dict[str, str]],
    tax_id_type: str,
    stored_tax_id: str | None = None,
) -> RowValues:
    """Check one row's fixed columns against the client's current tax id type (or CUIT) and
    number: a number stored before the checks passes while it does not change (as on the card)."""
    card, contact, address, errors = {}, {}, {}, {}
    texts = {}
    for field, value in raw.items():
        if isinstance(value, Formula):
            errors[field] = _("La celda tiene una fórmula: pegala como valor.")
        elif (text := cell_text(value)) != "":
            texts[field] = text
    code = texts.get("code")
    if code is not None:
        if len(code) > 20 or not _CODE.match(code):
            errors["code"] = _("El código lleva hasta 20 letras, números, puntos o guiones.")
        card["code"] = code
    for field, longest in (TEXTS | CONTACT_TEXTS).items():
        if field in texts and len(texts[field]) > longest:
            errors[field] = _("Hasta %(max)d caracteres.", max=longest)
    card |= {f: texts[f] for f in TEXTS if f in texts}
    if "legal_name" not in texts and "legal_name" not in errors:
        errors["legal_name"] = _("Este campo es obligatorio.")
    for field, message in (
        ("state", _("El estado no es válido.")),
        ("tax_id_type", _("El tipo de documento no es válido.")),
        ("iva_condition", _("La condición frente al IVA no es válida.")),
    ):
        if field in texts:
            value = options[field].get(fold(texts[field]).strip())
            if value is None:
                errors[field] = message
            card[field] = value
    kind = card.get("tax_id_type") or tax_id_type
    if "tax_id" in texts:
        check = validate_tax_id(kind, texts["tax_id"])
        if check.valid:
            card["tax_id"] = check.compact
        elif stored_tax_id and compact_document(texts["tax_id"]) == compact_document(stored_tax_id):
            card["tax_id"] = stored_tax_id
        else:
            errors["tax_id"] = _(check.error)
    for field, target in (("email", card), ("contact_email", contact)):
        if field in texts:
            try:
                target[field] = normalize_email(texts[field])
            except ValueError as error:
                errors[field] = str(error)
    for field, card_field in REFERENCES.items():
        if field in texts:
            try:
                card[card_field] = lookups[field].find(texts[field])
            except ValueError as error:
                errors[field] = str(error)
    _read_plan(texts, card, errors)
    contact |= {f: texts[f] for f in CONTACT_TEXTS if f in texts}
    if contact and "contact_name" not in contact:
        errors["contact_name"] = _("Escribí el nombre del contacto.")
    for field, limit in (("latitude", 90), ("longitude", 180)):
        if field in texts:
            try:
                address[field] = _coordinate(raw[field], limit)
            except ValueError as error:
                errors[field] = str(error)
    if address and "street" not in texts:
        errors["street"] = _("Escribí la dirección de esas coordenadas.")
    if "street" in texts:
        address |= {f: card[f] for f in ("street", "city", "province", "postal_code") if f in card}
    return RowValues(card, contact, address, errors)


def _read_plan(texts: dict[str, str], card: dict, errors: dict[str, str]) -> None:
    """The visit plan's columns into the card's fields; PlanErrors as messages."""
    for field, read in (
        ("visit_days", lambda t: {"visit_weekdays": visit_days_mask(t)}),
        ("visit_every_weeks", lambda t: {"visit_every_weeks": check_frequency(_whole(t))}),
        ("visit_window", _window_fields),
        ("route_position", lambda t: {"route_position": check_position(_whole(t, "position"))}),
    ):
        if field not in texts:
            continue
        try:
            card |= read(texts[field])
        except PlanError as error:
            errors[field] = str(PLAN_MESSAGES[error.code])


def _whole(text: str, code: str = "frequency") -> int:
    """A whole number typed or read from a number cell ("2", "2.0"); PlanError(code)."""
    number = parse_number(text)
    if number is None or number != number.to_integral_value():
        raise PlanError(code)
    return int(number)


def _window_fields(text: str) -> dict[str, time]:
    """ "08:30-12:00" as the card's two fields."""
    window = parse_window(text)
    return {"visit_from": window.start, "visit_to": window.end}


def attribute_key(name: str) -> str:
    """How a custom attribute's column is recognised: its name folded like a header."""
    return header_key(name)


@dataclass
class ImportReport:
    """What an import did or, in a dry run, would do; JSON-able with to_dict()."""

    filename: str = ""
    dry_run: bool = True
    valid_only: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    error_count: int = 0
    errors: list[RowError] = dataclasses.field(default_factory=list)
    ignored_columns: list[str] = dataclasses.field(default_factory=list)
    refused: bool = False  # nothing was written: a bad file, or bad rows in an all-or-nothing run
    applied: bool = False  # the rows were written (flushed; the caller commits)

    def add_error(self, row: int, column: str, message: str) -> None:
        """Count an error; keep it while fewer than MAX_ERRORS are kept."""
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, message))

    def to_dict(self) -> dict:
        """The report as plain JSON values (a job keeps it as its result)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        """The report back from to_dict()."""
        errors = [RowError(**error) for error in data.get("errors", [])]
        return cls(**{**data, "errors": errors})

    def counts_text(self) -> str:
        """ "120 filas: 100 nuevos, 15 modificados, 5 sin cambios, 0 con errores"."""
        return _(
            "%(rows)d filas: %(created)d nuevos, %(updated)d modificados, %(unchanged)d sin "
            "cambios, %(skipped)d con errores.",
            rows=self.rows,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            skipped=self.skipped,
        )


def report_summary(report: ImportReport) -> str:
    """One line for the user: what was (or would be) done."""
    if report.refused and not report.rows:
        return _("No se pudo leer el archivo: no se importó nada.")
    if report.refused:
        return ngettext(
            "El archivo tiene %(num)d error: no se importó nada.",
            "El archivo tiene %(num)d errores: no se importó nada.",
            report.error_count,
        )
    return report.counts_text()
