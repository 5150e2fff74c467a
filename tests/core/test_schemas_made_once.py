"""Schemas are made once per class, options and language, and still answer in each language."""

from flask_babel import force_locale
from marshmallow import ValidationError

from app.clients.schemas import ClientSchema
from app.core.fields import REQUIRED, BodySchema, fields


class _Named(BodySchema):
    name = fields.String(required=True, error_messages={"required": REQUIRED})


def _message(schema) -> str:
    try:
        schema.load({})
    except ValidationError as error:
        return error.messages["name"][0]
    raise AssertionError("an empty body passed")


def test_the_same_class_and_options_give_the_instance_made_before(app):
    with app.test_request_context():
        assert ClientSchema() is ClientSchema()
        assert ClientSchema(partial=True) is ClientSchema(partial=True)
        assert ClientSchema(partial=True) is not ClientSchema()
        assert ClientSchema(only={"id", "code"}) is ClientSchema(only=frozenset({"code", "id"}))


def test_an_option_that_is_not_a_plain_value_makes_a_new_schema(app):
    with app.test_request_context():
        marker = object()
        assert ClientSchema(current=marker) is not ClientSchema(current=marker)


def test_each_language_keeps_its_own_messages(app):
    with app.test_request_context():
        with force_locale("es_AR"):
            spanish = _message(_Named())
        with force_locale("en"):
            english = _message(_Named())
        with force_locale("es_AR"):
            again = _message(_Named())
    assert spanish == "Este campo es obligatorio."
    assert english != spanish
    assert english.startswith("This field")
    assert again == spanish
