"""Pure tax rules: tax and identity numbers of AR, UY, CL and PE, and invoice letters."""

import random
import string

import pytest
from stdnum.ar import cuit
from stdnum.cl import rut as cl_rut
from stdnum.pe import cui, ruc
from stdnum.uy import rut as uy_rut

from app.taxes.rules import (
    IVA_CONDITIONS,
    RG_5003_LEGEND,
    InvoiceClass,
    IvaCondition,
    TaxIdType,
    compact_tax_id,
    format_tax_id,
    invoice_class,
    same_identity_kinds,
    seller_condition,
    validate_tax_id,
)

# Published numbers, typed as people type them: (kind, typed, stored, shown).
VALID = [
    ("CUIT", "33-69345023-9", "33693450239", "33-69345023-9"),  # AFIP
    ("CUIT", "30-50001091-2", "30500010912", "30-50001091-2"),  # Banco de la Nación
    ("CUIT", "30 54668997 9", "30546689979", "30-54668997-9"),
    ("CUIT", "20.05536168.2", "20055361682", "20-05536168-2"),
    ("CUIT", "20267565393", "20267565393", "20-26756539-3"),
    ("CUIT", " 27-28123456-6 ", "27281234566", "27-28123456-6"),
    ("CUIL", "20-12345678-6", "20123456786", "20-12345678-6"),
    ("CUIL", "27 28123456 6", "27281234566", "27-28123456-6"),
    ("DNI", "20.123.456", "20123456", "20.123.456"),
    ("DNI", "1.234.567", "1234567", "1.234.567"),
    ("DNI", "45 678 912", "45678912", "45.678.912"),
    ("RUT_UY", "21-100342-001-7", "211003420017", "21-100342-001-7"),
    ("RUT_UY", "UY 21 140634 001 1", "211406340011", "21-140634-001-1"),
    ("RUT_UY", "21.552.175.0017", "215521750017", "21-552175-001-7"),
    ("RUT_CL", "60.803.000-K", "60803000K", "60.803.000-K"),  # Servicio de Impuestos Internos
    ("RUT_CL", "60803000-k", "60803000K", "60.803.000-K"),
    ("RUT_CL", "97.004.000-5", "970040005", "97.004.000-5"),  # Banco de Chile
    ("RUT_CL", "5.000.001-K", "5000001K", "5.000.001-K"),
    ("RUT_CL", "CL 12531909-2", "125319092", "12.531.909-2"),
    ("RUT_CL", "76086428-5", "760864285", "76.086.428-5"),
    ("RUC", "20131312955", "20131312955", "20131312955"),  # SUNAT
    ("RUC", "20100047218", "20100047218", "20100047218"),
    ("RUC", "20 512 333 797", "20512333797", "20512333797"),
    ("RUC", "10-05414828-9", "10054148289", "10054148289"),
    ("DNI_PE", "10117410", "10117410", "10117410"),
    ("DNI_PE", "10117410-2", "10117410", "10117410"),
    ("DNI_PE", "10117410-g", "10117410", "10117410"),
    ("DNI_PE", "45.678.912", "45678912", "45678912"),
    ("PASSPORT", " aab 123456 ", "AAB123456", "AAB123456"),
    ("PASSPORT", "XDC-12345", "XDC12345", "XDC12345"),
    ("FOREIGN_ID", "123.456.789-09", "12345678909", "12345678909"),
    ("FOREIGN_ID", "e1234567", "E1234567", "E1234567"),
]

# (kind, typed, message)
INVALID = [
    ("CUIT", "20-12345678-7", "El CUIT no es válido: el dígito verificador no coincide."),
    ("CUIT", "20267565392", "El CUIT no es válido: el dígito verificador no coincide."),
    ("CUIT", "33-69345023-8", "El CUIT no es válido: el dígito verificador no coincide."),
    ("CUIT", "2012345678", "El CUIT no es válido: tiene que tener 11 dígitos."),
    ("CUIT", "201234567861", "El CUIT no es válido: tiene que tener 11 dígitos."),
    ("CUIT", "20-1234567A-6", "El CUIT no es válido: solo puede tener números."),
    (
        "CUIT",
        "12-12345678-9",
        "El CUIT no es válido: tiene que empezar con 20, 23, 24, 27, 30, 33, 34, 50, 51 o 55.",
    ),
    ("CUIL", "30-50001091-2", "El CUIL no es válido: tiene que empezar con 20, 23, 24 o 27."),
    ("CUIL", "20-12345678-5", "El CUIL no es válido: el dígito verificador no coincide."),
    ("DNI", "2012345699", "El DNI no es válido: tiene que tener 7 u 8 dígitos."),
    ("DNI", "123456", "El DNI no es válido: tiene que tener 7 u 8 dígitos."),
    ("DNI", "20.123.45A", "El DNI no es válido: solo puede tener números."),
    (
        "RUT_UY",
        "210303670014",
        "El RUT de Uruguay no es válido: el dígito verificador no coincide.",
    ),
    ("RUT_UY", "12345678", "El RUT de Uruguay no es válido: tiene que tener 12 dígitos."),
    ("RUT_UY", "21-10034X-001-7", "El RUT de Uruguay no es válido: solo puede tener números."),
    (
        "RUT_UY",
        "23-100342-001-7",
        "El RUT de Uruguay no es válido: empieza con 01 a 22, sigue con seis dígitos, 001 y el "
        "dígito verificador.",
    ),
    ("RUT_CL", "12531909-3", "El RUT de Chile no es válido: el dígito verificador no coincide."),
    ("RUT_CL", "60.803.000-1", "El RUT de Chile no es válido: el dígito verificador no coincide."),
    ("RUT_CL", "97.004.000-K", "El RUT de Chile no es válido: el dígito verificador no coincide."),
    (
        "RUT_CL",
        "76086A28-5",
        "El RUT de Chile no es válido: solo puede tener números y, al final, el dígito "
        "verificador (0 a 9 o K).",
    ),
    (
        "RUT_CL",
        "1234-5",
        "El RUT de Chile no es válido: tiene que tener 7 u 8 dígitos y el dígito verificador.",
    ),
    ("RUC", "20512333798", "El RUC no es válido: el dígito verificador no coincide."),
    ("RUC", "2051233379", "El RUC no es válido: tiene que tener 11 dígitos."),
    ("RUC", "2051233379A", "El RUC no es válido: solo puede tener números."),
    ("RUC", "30512333797", "El RUC no es válido: tiene que empezar con 10, 15, 17 o 20."),
    ("DNI_PE", "10117410-3", "El DNI de Perú no es válido: el dígito verificador no coincide."),
    (
        "DNI_PE",
        "1011741",
        "El DNI de Perú no es válido: tiene que tener 8 dígitos (y, si se agrega, el dígito "
        "verificador).",
    ),
    ("DNI_PE", "1011741A", "El DNI de Perú no es válido: tiene que tener 8 números."),
    (
        "PASSPORT",
        "AB12",
        "El pasaporte no es válido: tiene que tener de 5 a 20 letras o números.",
    ),
    (
        "PASSPORT",
        "AB#12345",
        "El pasaporte no es válido: tiene que tener de 5 a 20 letras o números.",
    ),
    (
        "FOREIGN_ID",
        "X" * 21,
        "El documento extranjero no es válido: tiene que tener de 5 a 20 letras o números.",
    ),
    ("CUIT", "", "El CUIT no es válido: tiene que tener 11 dígitos."),
    ("NIF", "12345678Z", "El tipo de documento no es válido."),
]


@pytest.mark.parametrize(("kind", "typed", "stored", "shown"), VALID)
def test_valid_numbers_are_stored_compact_and_shown_formatted(kind, typed, stored, shown):
    check = validate_tax_id(kind, typed)
    assert check.valid and check.error is None
    assert check.compact == stored
    assert compact_tax_id(kind, typed) == stored
    assert format_tax_id(kind, stored) == shown
    assert validate_tax_id(kind, shown).compact == stored


@pytest.mark.parametrize(("kind", "typed", "message"), INVALID)
def test_invalid_numbers_say_why_in_spanish(kind, typed, message):
    check = validate_tax_id(kind, typed)
    assert not check.valid
    assert check.compact is None
    assert check.error == message


def test_every_kind_of_the_card_has_a_rule():
    for kind in TaxIdType:
        assert validate_tax_id(kind, "").error != "El tipo de documento no es válido."


def _cuits(rng: random.Random, count: int) -> list[str]:
    prefixes = ["20", "23", "24", "27", "30", "33", "34"]
    bodies = {f"{rng.choice(prefixes)}{rng.randrange(10**8):08d}" for _ in range(count)}
    return [body + cuit.calc_check_digit(body) for body in sorted(bodies)]


def _wrong_last(number: str, alphabet: str = string.digits) -> list[str]:
    return [number[:-1] + c for c in alphabet if c != number[-1]]


def test_generated_cuits_pass_and_every_other_check_digit_fails():
    for number in _cuits(random.Random(20), 300):
        shown = f"{number[:2]}-{number[2:10]}-{number[10]}"
        assert validate_tax_id("CUIT", shown).compact == number
        assert format_tax_id("CUIT", number) == shown
        for wrong in _wrong_last(number):
            assert validate_tax_id("CUIT", wrong).error == (
                "El CUIT no es válido: el dígito verificador no coincide."
            )


def test_generated_chilean_ruts_with_and_without_k():
    rng = random.Random(56)
    ruts = []
    for _ in range(400):
        body = str(rng.randrange(1_000_000, 99_999_999))
        ruts.append(body + cl_rut.calc_check_digit(body))
    with_k = [r for r in ruts if r.endswith("K")]
    assert len(with_k) > 10
    for number in ruts:
        shown = cl_rut.format(number)
        assert validate_tax_id("RUT_CL", shown.lower()).compact == number
        assert format_tax_id("RUT_CL", number) == shown
        for wrong in _wrong_last(number, string.digits + "K"):
            assert not validate_tax_id("RUT_CL", wrong).valid


def test_generated_uruguayan_ruts_peruvian_rucs_and_dnis():
    rng = random.Random(598)
    for _ in range(200):
        body = f"{rng.randrange(1, 23):02d}{rng.randrange(1, 10**6):06d}001"
        check = uy_rut.calc_check_digit(body)
        if len(check) == 1:  # a remainder of 10 leaves that body without a valid RUT
            number = body + check
            assert validate_tax_id("RUT_UY", uy_rut.format(number)).compact == number
            for wrong in _wrong_last(number):
                assert not validate_tax_id("RUT_UY", wrong).valid

        body = rng.choice(["10", "20"]) + f"{rng.randrange(10**8):08d}"
        number = body + ruc.calc_check_digit(body)
        assert validate_tax_id("RUC", number).compact == number
        for wrong in _wrong_last(number):
            assert not validate_tax_id("RUC", wrong).valid

        dni = f"{rng.randrange(10**8):08d}"
        digit, letter = cui.calc_check_digits(dni)
        assert validate_tax_id("DNI_PE", f"{dni}-{digit}").compact == dni
        assert validate_tax_id("DNI_PE", f"{dni}{letter}").compact == dni
        assert not validate_tax_id("DNI_PE", f"{dni}-{(int(digit) + 1) % 10}").valid


def test_no_input_makes_the_check_raise():
    rng = random.Random(7)
    alphabet = string.printable + "ñÑáéíóú–—·²³٣"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 25)))
        for kind in TaxIdType:
            check = validate_tax_id(kind, text)
            assert check.valid or check.error
            compact_tax_id(kind, text)
            format_tax_id(kind, text)


def test_an_invalid_stored_number_is_shown_as_stored():
    assert format_tax_id("CUIT", "20-1234") == "20-1234"
    assert format_tax_id("CUIT", None) == ""
    assert compact_tax_id("CUIT", "20-1234") == "201234"


def test_cuit_and_cuil_name_the_same_person():
    assert set(same_identity_kinds("CUIL")) == {"CUIT", "CUIL"}
    assert same_identity_kinds("RUT_CL") == ("RUT_CL",)


# --- IVA conditions and invoice letters ----------------------------------------------------

RI, MONO, EXEMPT = "Responsable Inscripto", "Monotributo", "Exento"
LETTERS_OF_A_REGISTERED_SELLER = {
    "Responsable Inscripto": "A",
    "Monotributo": "A",
    "Exento": "B",
    "Consumidor Final": "B",
    "No Responsable": "B",
    "Sujeto No Categorizado": "B",
    "IVA Liberado": "B",
    "Cliente del Exterior": "E",
}


def test_every_iva_condition_has_a_letter():
    assert set(LETTERS_OF_A_REGISTERED_SELLER) == set(IVA_CONDITIONS)


@pytest.mark.parametrize(("buyer", "letter"), LETTERS_OF_A_REGISTERED_SELLER.items())
def test_a_registered_seller_issues_a_b_or_e(buyer, letter):
    invoice = invoice_class(RI, buyer)
    assert invoice.letter == letter
    assert (invoice.legend is not None) == (buyer == MONO)


def test_rg_5003_legend_on_class_a_to_monotributo():
    assert invoice_class(RI, MONO) == InvoiceClass("A", RG_5003_LEGEND)
    assert RG_5003_LEGEND == (
        "El crédito fiscal discriminado en el presente comprobante, sólo podrá ser computado a "
        "efectos del Régimen de Sostenimiento e Inclusión Fiscal para Pequeños Contribuyentes "
        "de la Ley Nº 27.618"
    )


@pytest.mark.parametrize("seller", [MONO, EXEMPT])
@pytest.mark.parametrize("buyer", [c for c in IVA_CONDITIONS if c != "Cliente del Exterior"])
def test_monotributo_and_exempt_sellers_issue_c(seller, buyer):
    assert invoice_class(seller, buyer) == InvoiceClass("C")


@pytest.mark.parametrize("seller", [RI, MONO, EXEMPT])
def test_an_export_is_class_e_whoever_sells(seller):
    assert invoice_class(seller, "Cliente del Exterior") == InvoiceClass("E")


@pytest.mark.parametrize("buyer", [None, "", "Inventada"])
def test_no_letter_without_a_known_buyer_condition(buyer):
    assert invoice_class(RI, buyer) is None


def test_the_seller_condition_setting():
    assert seller_condition(" responsable inscripto ") is IvaCondition.REGISTERED
    assert seller_condition("MONOTRIBUTO") is IvaCondition.MONOTRIBUTO
    for wrong in ("Consumidor Final", "RI", ""):
        with pytest.raises(ValueError):
            seller_condition(wrong)
