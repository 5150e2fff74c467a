"""One template per page; htmx requests get only the block they swap."""

from flask import Response, make_response, render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """An htmx swap wants a fragment; a history restore or a boosted link wants the page."""
    htmx = request.htmx
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def render(template: str, block: str = "content", status: int = 200, **context) -> Response:
    """Render the page, or just `block` of it for an htmx swap."""
    if wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
