"""Properties of the client rules, over generated input (hypothesis)."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.clients.rules import (
    Pickup,
    compact_document,
    fold,
    pickup_allowed,
    search_key,
    search_tokens,
)

TEXT = st.text(max_size=60)


@given(TEXT)
def test_tokens_are_folded_and_free_of_punctuation(text):
    for token in search_tokens(text):
        assert token and token == fold(token)
        assert token.isalnum() and token.isascii()


@given(TEXT)
def test_folding_twice_changes_nothing(text):
    assert fold(fold(text)) == fold(text)


@given(st.lists(TEXT, max_size=5), st.data())
def test_every_word_of_a_field_finds_its_client(fields, data):
    key = search_key(*fields)
    tokens = [t for field in fields for t in search_tokens(field)]
    if tokens:
        token = data.draw(st.sampled_from(tokens))
        start = data.draw(st.integers(0, len(token) - 1))
        assert token[start:] in key


DOCUMENT = st.from_regex(r"[0-9]{7,8}", fullmatch=True)
DAY = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(DOCUMENT, st.sampled_from(["", ".", "-", " "]), DAY)
def test_a_document_matches_itself_however_it_is_typed(number, separator, today):
    typed = separator.join([number[:2], number[2:5], number[5:]])
    assert compact_document(typed) == number
    assert pickup_allowed(Pickup("X", number, None, None), typed, today)


@given(DOCUMENT, DAY, st.integers(-400, 400), st.integers(0, 400))
def test_validity_dates_bound_the_permission(number, today, start_offset, length):
    valid_from = today + timedelta(days=start_offset)
    valid_to = valid_from + timedelta(days=length)
    allowed = pickup_allowed(Pickup("X", number, valid_from, valid_to), number, today)
    assert allowed == (valid_from <= today <= valid_to)
