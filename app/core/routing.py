"""URL converters."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2_147_483_647  # PostgreSQL's integer: a larger id cannot exist


class IdConverter(IntegerConverter):
    """`<int:...>` for record ids: an id past the database's integer range becomes 0.

    Refusing it in the converter would turn into a 405 on paths that other methods share;
    0 matches no record, so every method answers 404 as for any unknown id.
    """

    def to_python(self, value: str) -> int:
        """The id, or 0 when it cannot exist."""
        number = int(value)
        return number if number <= MAX_ID else 0
