"""Pure tax rules: tax and identity numbers, IVA conditions and the invoice letter they imply.

Numbers are checked with python-stdnum (no check digit is computed here). Messages are
Spanish source strings marked with N_ for extraction; callers translate them.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from stdnum.ar import cuit, dni
from stdnum.cl import rut as cl_rut
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.pe import cui, ruc
from stdnum.uy import rut as uy_rut


def N_(message: str) -> str:
    """Mark a message for translation; the caller translates it when it is shown."""
    return message


# --- tax and identity numbers --------------------------------------------------------------


class TaxIdType(StrEnum):
    """National tax and identity numbers a client card accepts."""

    CUIT = "CUIT"
    CUIL = "CUIL"
    DNI = "DNI"
    RUT_UY = "RUT_UY"
    RUT_CL = "RUT_CL"
    RUC = "RUC"
    DNI_PE = "DNI_PE"
    PASSPORT = "PASSPORT"
    FOREIGN_ID = "FOREIGN_ID"


# A CUIL is a person's number: the CUIT prefixes for people (companies use 30, 33, 34).
CUIL_PREFIXES = ("20", "23", "24", "27")
_SEPARATORS = re.compile(r"[\s.\-‐‑–—]")
_DOCUMENT = re.compile(r"[A-Z0-9]{5,20}")


@dataclass(frozen=True)
class TaxIdCheck:
    """A checked number: its compact form when valid, else why it is not (Spanish)."""

    compact: str | None
    error: str | None = None

    @property
    def valid(self) -> bool:
        """True when the number passed every check."""
        return self.error is None


def _cuil(number: str) -> str:
    """A CUIT whose prefix is a person's."""
    number = cuit.validate(number)
    if number[:2] not in CUIL_PREFIXES:
        raise InvalidComponent()
    return number


def _peru_dni(number: str) -> str:
    """The 8 digits of a Peruvian DNI; the check character printed after them is optional."""
    return cui.validate(number)[:8]


def _document(number: str) -> str:
    """A passport or foreign document: 5 to 20 letters or digits."""
    if not _DOCUMENT.fullmatch(number):
        raise InvalidFormat()
    return number


def _same(number: str) -> str:
    """Shown as stored."""
    return number


@dataclass(frozen=True)
class _Rule:
    """How one kind of number is validated and shown, and what each problem is called."""

    validate: Callable[[str], str]
    format: Callable[[str], str]
    invalid: str
    messages: dict[type[ValidationError], str] = field(default_factory=dict)


_RULES: dict[str, _Rule] = {
    TaxIdType.CUIT: _Rule(
        cuit.validate,
        cuit.format,
        N_("El CUIT no es válido."),
        {
            InvalidChecksum: N_("El CUIT no es válido: el dígito verificador no coincide."),
            InvalidLength: N_("El CUIT no es válido: tiene que tener 11 dígitos."),
            InvalidFormat: N_("El CUIT no es válido: solo puede tener números."),
            InvalidComponent: N_(
                "El CUIT no es válido: tiene que empezar con 20, 23, 24, 27, 30, 33, 34, 50, 51 "
                "o 55."
            ),
        },
    ),
    TaxIdType.CUIL: _Rule(
        _cuil,
        cuit.format,
        N_("El CUIL no es válido."),
        {
            InvalidChecksum: N_("El CUIL no es válido: el dígito verificador no coincide."),
            InvalidLength: N_("El CUIL no es válido: tiene que tener 11 dígitos."),
            InvalidFormat: N_("El CUIL no es válido: solo puede tener números."),
            InvalidComponent: N_("El CUIL no es válido: tiene que empezar con 20, 23, 24 o 27."),
        },
    ),
    TaxIdType.DNI: _Rule(
        dni.validate,
        dni.format,
        N_("El DNI no es válido."),
        {
            InvalidLength: N_("El DNI no es válido: tiene que tener 7 u 8 dígitos."),
            InvalidFormat: N_("El DNI no es válido: solo puede tener números."),
        },
    ),
    TaxIdType.RUT_UY: _Rule(
        uy_rut.validate,
        uy_rut.format,
        N_("El RUT de Uruguay no es válido."),
        {
            InvalidChecksum: N_(
                "El RUT de Uruguay no es válido: el dígito verificador no coincide."
            ),
            InvalidLength: N_("El RUT de Uruguay no es válido: tiene que tener 12 dígitos."),
            InvalidFormat: N_("El RUT de Uruguay no es válido: solo puede tener números."),
            InvalidComponent: N_(
                "El RUT de Uruguay no es válido: empieza con 01 a 22, sigue con seis dígitos, "
                "001 y el dígito verificador."
            ),
        },
    ),
    TaxIdType.RUT_CL: _Rule(
        cl_rut.validate,
        cl_rut.format,
        N_("El RUT de Chile no es válido."),
        {
            InvalidChecksum: N_("El RUT de Chile no es válido: el dígito verificador no coincide."),
            InvalidLength: N_(
                "El RUT de Chile no es válido: tiene que tener 7 u 8 dígitos y el dígito "
                "verificador."
            ),
            InvalidFormat: N_(
                "El RUT de Chile no es válido: solo puede tener números y, al final, el dígito "
                "verificador (0 a 9 o K)."
            ),
        },
    ),
    TaxIdType.RUC: _Rule(
        ruc.validate,
        _same,
        N_("El RUC no es válido."),
        {
            InvalidChecksum: N_("El RUC no es válido: el dígito verificador no coincide."),
            InvalidLength: N_("El RUC no es válido: tiene que tener 11 dígitos."),
            InvalidFormat: N_("El RUC no es válido: solo puede tener números."),
            InvalidComponent: N_("El RUC no es válido: tiene que empezar con 10, 15, 17 o 20."),
        },
    ),
    TaxIdType.DNI_PE: _Rule(
        _peru_dni,
        _same,
        N_("El DNI de Perú no es válido."),
        {
            InvalidChecksum: N_("El DNI de Perú no es válido: el dígito verificador no coincide."),
            InvalidLength: N_(
                "El DNI de Perú no es válido: tiene que tener 8 dígitos (y, si se agrega, el "
                "dígito verificador)."
            ),
            InvalidFormat: N_("El DNI de Perú no es válido: tiene que tener 8 números."),
        },
    ),
    TaxIdType.PASSPORT: _Rule(
        _document,
        _same,
        N_("El pasaporte no es válido: tiene que tener de 5 a 20 letras o números."),
    ),
    TaxIdType.FOREIGN_ID: _Rule(
        _document,
        _same,
        N_("El documento extranjero no es válido: tiene que tener de 5 a 20 letras o números."),
    ),
}

# How the duplicate message names each kind ("con ese CUIT").
TAX_ID_NOUNS: dict[str, str] = {
    TaxIdType.CUIT: "CUIT",
    TaxIdType.CUIL: "CUIL",
    TaxIdType.DNI: "DNI",
    TaxIdType.RUT_UY: "RUT",
    TaxIdType.RUT_CL: "RUT",
    TaxIdType.RUC: "RUC",
    TaxIdType.DNI_PE: "DNI",
    TaxIdType.PASSPORT: N_("pasaporte"),
    TaxIdType.FOREIGN_ID: N_("documento"),
}


def _clean(text: str) -> str:
    """The number without spaces, dots or dashes, letters upper-cased."""
    return _SEPARATORS.sub("", text).upper()


def validate_tax_id(kind: str, text: str) -> TaxIdCheck:
    """Check a number typed with or without dashes, dots and spaces; never raises."""
    rule = _RULES.get(kind)
    if rule is None:
        return TaxIdCheck(None, N_("El tipo de documento no es válido."))
    try:
        return TaxIdCheck(rule.validate(_clean(text)))
    except ValidationError as exc:
        return TaxIdCheck(None, rule.messages.get(type(exc), rule.invalid))


def compact_tax_id(kind: str, text: str) -> str:
    """The form a number is stored in; an invalid one is only stripped of separators."""
    check = validate_tax_id(kind, text)
    return check.compact if check.valid else _clean(text)


def format_tax_id(kind: str, number: str | None) -> str:
    """How a stored number is shown ("20-12345678-6"); an invalid one is shown as stored."""
    if not number:
        return ""
    check = validate_tax_id(kind, number)
    return _RULES[kind].format(check.compact) if check.valid else number


def same_identity_kinds(kind: str) -> tuple[str, ...]:
    """Kinds whose numbers name the same person: a CUIL becomes that person's CUIT."""
    if kind in (TaxIdType.CUIT, TaxIdType.CUIL):
        return (TaxIdType.CUIT, TaxIdType.CUIL)
    return (kind,)


# --- IVA conditions and invoice letters (Argentina) ----------------------------------------


class IvaCondition(StrEnum):
    """A taxpayer's standing before IVA (condición frente al IVA), as AFIP names it."""

    REGISTERED = "Responsable Inscripto"
    MONOTRIBUTO = "Monotributo"
    EXEMPT = "Exento"
    FINAL_CONSUMER = "Consumidor Final"
    NOT_RESPONSIBLE = "No Responsable"
    UNCATEGORIZED = "Sujeto No Categorizado"
    FOREIGN_CLIENT = "Cliente del Exterior"
    VAT_RELEASED = "IVA Liberado"


IVA_CONDITIONS = tuple(condition.value for condition in IvaCondition)
SELLER_CONDITIONS = (IvaCondition.REGISTERED, IvaCondition.MONOTRIBUTO, IvaCondition.EXEMPT)

# The literal RG 5003 (2021) requires on a class A document issued to a Monotributo buyer
# (AFIP observation code 10217). Printed as is, in Spanish, whatever the interface language.
RG_5003_LEGEND = (
    "El crédito fiscal discriminado en el presente comprobante, sólo podrá ser computado a "
    "efectos del Régimen de Sostenimiento e Inclusión Fiscal para Pequeños Contribuyentes de "
    "la Ley Nº 27.618"
)


@dataclass(frozen=True)
class InvoiceClass:
    """The letter of the invoices a seller issues to a buyer, and the legend they must carry."""

    letter: str
    legend: str | None = None


def seller_condition(text: str) -> IvaCondition:
    """The company's own IVA condition from a setting; ValueError unless it can issue invoices."""
    for condition in SELLER_CONDITIONS:
        if text.strip().casefold() == condition.casefold():
            return condition
    raise ValueError(f"a seller is Responsable Inscripto, Monotributo or Exento, not {text!r}")


def invoice_class(seller: str, buyer: str | None) -> InvoiceClass | None:
    """The invoice a seller of this IVA condition issues to this buyer; None if unknown.

    Under RG 1415 a Responsable Inscripto issues A to another one and B to buyers who cannot
    take the tax credit (exempt, final consumers, ...); RG 5003 moved Monotributo buyers to
    class A, with its legend. Monotributo and exempt sellers issue C, except that an export
    is class E whoever the seller is (RG 1415 arts. 16 and 17).
    """
    selling_as = seller_condition(seller)
    if buyer not in IVA_CONDITIONS:
        return None
    if buyer == IvaCondition.FOREIGN_CLIENT:
        return InvoiceClass("E")
    if selling_as is not IvaCondition.REGISTERED:
        return InvoiceClass("C")
    if buyer == IvaCondition.REGISTERED:
        return InvoiceClass("A")
    if buyer == IvaCondition.MONOTRIBUTO:
        return InvoiceClass("A", RG_5003_LEGEND)
    return InvoiceClass("B")
