"""The OpenAPI 3 document, built from the API's routes and the operations they describe
(app/api/docs.py api_doc), and its route."""

import copy
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, resolver
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import current_app, jsonify
from werkzeug.routing import IntegerConverter, Rule

from app.api.blueprint import bp
from app.api.docs import IDEMPOTENCY_KEY, SCHEMAS, operation_of, path_id
from app.auth.permissions import permission_of, public

# A variable of a rule, "<int:client_id>" or "<name>": its converter (if named) and its name.
VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# The document does not describe itself.
UNDESCRIBED = {f"{bp.name}.openapi"}


def schema_name(schema) -> str:
    """A nested schema's component name: the one it was given, else its class name less "Schema"."""
    found = resolve_schema_cls(schema)
    schema_cls = found[0] if isinstance(found, list) else found
    for name, named in SCHEMAS.items():
        if named is schema_cls:
            return name
    name = resolver(schema_cls)
    if name in SCHEMAS:
        raise ValueError(f"{schema_cls.__name__} would take the name {name}: name it apart")
    return name


def path_of(rule: Rule) -> tuple[str, list[dict]]:
    """The rule's path as the document writes it ("/clients/{client_id}"), and its parameters."""
    parameters = []
    for converter, name in VARIABLE.findall(rule.rule):
        if issubclass(current_app.url_map.converters[converter or "default"], IntegerConverter):
            parameters.append(path_id(name))
        else:
            parameters.append(
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            )
    path = VARIABLE.sub(r"{\2}", rule.rule).removeprefix(bp.url_prefix)
    return path, parameters


def described_paths() -> dict[str, dict[str, dict]]:
    """Each API path with the operations its routes describe; raises naming a route without one."""
    paths: dict[str, dict[str, dict]] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith(f"{bp.name}.") or rule.endpoint in UNDESCRIBED:
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        route = f"{' '.join(methods)} {rule.rule} ({rule.endpoint})"
        view = current_app.view_functions[rule.endpoint]
        if operation_of(view) is None:
            raise LookupError(f"{route} describes no operation: give it @api_doc (api/docs.py)")
        if len(methods) != 1:
            raise LookupError(f"{route}: one view per method, each with its own description")
        operation = copy.deepcopy(operation_of(view))  # apispec rewrites what it is given
        path, parameters = path_of(rule)
        if getattr(view, "idempotent", False):  # marked by write_endpoint
            parameters.append(IDEMPOTENCY_KEY)
        if parameters := [*parameters, *operation.get("parameters", ())]:
            operation["parameters"] = parameters
        if permission_of(view) is None:
            operation["security"] = []
        paths.setdefault(path, {})[methods[0].lower()] = operation
    return paths


def build_spec() -> dict:
    """The OpenAPI document of every route of the API."""
    spec = APISpec(
        title="Clientes en ruta API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=schema_name)],
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in SCHEMAS.items():
        if name not in spec.components.schemas:  # else already added, nested in another
            spec.components.schema(name, schema=schema)
    for path, operations in described_paths().items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3 document of this API."""
    return jsonify(build_spec())
