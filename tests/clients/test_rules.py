"""Pure rules of the client master."""

from datetime import date

from app.clients.rules import Pickup, fold, pickup_allowed, search_key, search_tokens


def test_fold_drops_accents_and_case():
    assert fold("Núñez PÉREZ") == "nunez perez"


def test_tax_ids_and_emails_stay_one_token():
    assert search_tokens("20-12345678-6") == ["20123456786"]
    assert search_tokens("Kiosco@Gmail.com") == ["kioscogmailcom"]


def test_search_key_holds_every_field_token():
    key = search_key("C000001", "Núñez, José", None, "20-12345678-6")
    assert " c000001 " in key and " nunez " in key and " 20123456786 " in key


def test_pickup_allowed_by_document_and_dates():
    today = date(2026, 11, 23)
    rosa = Pickup("Rosa", "23.456.789", date(2026, 11, 1), date(2026, 11, 30))
    assert pickup_allowed(rosa, "23456789", today)
    assert not pickup_allowed(rosa, "23456788", today)
    assert not pickup_allowed(rosa, "23456789", date(2026, 12, 1))
    assert not pickup_allowed(rosa, "23456789", date(2026, 10, 31))
    assert pickup_allowed(rosa, "23456789", date(2026, 11, 30))
    assert not pickup_allowed(rosa, "", today)
    passport = Pickup("John", "AB123456", None, None)
    assert pickup_allowed(passport, " ab-123456 ", today)
    assert not pickup_allowed(passport, "XY123456", today)
