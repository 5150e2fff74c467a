"""Operations on the IIBB jurisdictions the company perceives for; each change is audited."""

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.extensions import db
from app.taxes.models import IibbJurisdiction
from app.taxes.rates_import import LAYOUTS

FIELDS = (
    "code", "name", "province", "registry_format", "default_rate", "minimum_amount",
    "include_multilateral", "active",
)  # fmt: skip
LAYOUT_LABELS = {
    "ARBA": _l("ARBA (Buenos Aires, PadronRGSPer)"),
    "AGIP": _l("AGIP (Ciudad de Buenos Aires, Regímenes Generales)"),
}
MAX_RATE = Decimal("99.99")
MAX_MINIMUM = Decimal("999999999999.99")


class JurisdictionError(ValueError):
    """A jurisdiction that cannot be saved; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def all_jurisdictions() -> list[IibbJurisdiction]:
    """Every jurisdiction, active or not, by code."""
    return list(
        db.session.scalars(sa.select(IibbJurisdiction).order_by(IibbJurisdiction.code)).all()
    )


def audit_view(jurisdiction: IibbJurisdiction) -> dict:
    """The settings as the audit log keeps them (amounts as text)."""
    values = {name: getattr(jurisdiction, name) for name in FIELDS}
    return {k: f"{v:.2f}" if isinstance(v, Decimal) else v for k, v in values.items()}


def _check(values: dict, jurisdiction: IibbJurisdiction | None) -> dict[str, str]:
    """Field -> what is wrong with the values (empty when nothing is)."""
    errors: dict[str, str] = {}
    code = values.get("code") or ""
    if not (len(code) == 3 and code.isascii() and code.isdigit()):
        errors["code"] = _("El código tiene tres dígitos, como 901 (CABA) o 902 (Buenos Aires).")
    else:
        taken = db.session.scalar(
            sa.select(IibbJurisdiction.id).where(
                IibbJurisdiction.code == code,
                IibbJurisdiction.id != (jurisdiction.id if jurisdiction else -1),
            )
        )
        if taken is not None:
            errors["code"] = _("Ya hay una jurisdicción con el código %(code)s.", code=code)
    for name, most in (("name", 60), ("province", 60)):
        text = values.get(name) or ""
        if not text:
            errors[name] = _("Este campo es obligatorio.")
        elif len(text) > most:
            errors[name] = _("Hasta %(max)d caracteres.", max=most)
    if values.get("registry_format") not in LAYOUTS:
        errors["registry_format"] = _("Elegí uno de los formatos de padrón de la lista.")
    rate = values.get("default_rate")
    if rate is not None and not Decimal("0") <= rate <= MAX_RATE:
        errors["default_rate"] = _("La alícuota va de 0 a 99,99.")
    minimum = values.get("minimum_amount")
    if minimum is None or not Decimal("0") <= minimum <= MAX_MINIMUM:
        errors["minimum_amount"] = _("El mínimo es un importe de 0 en adelante.")
    return errors


def save_jurisdiction(jurisdiction: IibbJurisdiction | None, values: dict) -> IibbJurisdiction:
    """Create a jurisdiction (None) or change one; JurisdictionError and nothing changes."""
    values = {name: values.get(name) for name in FIELDS}
    if errors := _check(values, jurisdiction):
        raise JurisdictionError(errors)
    before = audit_view(jurisdiction) if jurisdiction is not None else None
    if jurisdiction is None:
        jurisdiction = IibbJurisdiction()
        db.session.add(jurisdiction)
    for name, value in values.items():
        setattr(jurisdiction, name, value)
    db.session.flush()
    after = audit_view(jurisdiction)
    if before != after:
        audit.record("iibb.jurisdiction", "iibb_jurisdiction", jurisdiction.code, before, after)
    return jurisdiction
