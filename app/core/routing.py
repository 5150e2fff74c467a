"""URL converters."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2_147_483_647  # PostgreSQL's integer: a larger id cannot exist


class IdConverter(IntegerConverter):
    """`<int:...>` that stops at the database's integer range, so a huge id is a 404."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)
