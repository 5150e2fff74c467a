"""The one e-mail check: normalize_email and the helpers built on it."""

import pytest

from app.core.email import is_email, normalize_email


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("ana@ejemplo.com", "ana@ejemplo.com"),
        ("  ana@ejemplo.com ", "ana@ejemplo.com"),
        ("Ana@Ejemplo.COM", "Ana@ejemplo.com"),
        ("ana.perez+ventas@correo.com.ar", "ana.perez+ventas@correo.com.ar"),
        ("ñandú@correo.com.ar", "ñandú@correo.com.ar"),
        ("kiosco@donjose.example", "kiosco@donjose.example"),
    ],
)
def test_a_valid_address_is_kept_normalized(app, typed, kept):
    assert normalize_email(typed) == kept
    assert is_email(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        None,
        42,
        "ana",
        "ana@",
        "@ejemplo.com",
        "ana@ejemplo",
        "ana@@ejemplo.com",
        "ana @ejemplo.com",
        "ana@ejemplo..com",
        "ana@ejemplo.com, beto@ejemplo.com",
        "Ana <ana@ejemplo.com>",
        "ana@localhost",
        "ana@demo.local",
        "a" * 250 + "@x.com",
    ],
)
def test_anything_else_is_refused_in_spanish(app, typed):
    with pytest.raises(ValueError, match=r"^El correo no es válido\.$"):
        normalize_email(typed)
    assert not is_email(typed)
