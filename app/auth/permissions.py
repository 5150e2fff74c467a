"""Who may do what: one table of permissions per role, and the decorators every view uses."""

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user

from app.auth.models import Role

ALL_ROLES = frozenset(Role)
OFFICE = frozenset({Role.ADMIN, Role.BACKOFFICE})

# action -> roles allowed; SCOPES below says which records each role reaches.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "app.use": ALL_ROLES,
    "clients.view": ALL_ROLES,
    "clients.edit": OFFICE,
    # The client master from a spreadsheet; the list out to one, in each role's scope.
    "clients.import": OFFICE,
    "clients.export": OFFICE | {Role.SUPERVISOR, Role.SALESPERSON},
    # A prospect (potential client) registered at the door; the back office completes it.
    "clients.prospect": OFFICE | {Role.SUPERVISOR, Role.SALESPERSON},
    "clients.note": ALL_ROLES,
    "clients.parts": OFFICE | {Role.SUPERVISOR, Role.SALESPERSON},
    # Public registry data; salespeople and supervisors register prospects at the visit.
    "padron.lookup": OFFICE | {Role.SUPERVISOR, Role.SALESPERSON},
    # A client's current account: everyone sees the accounts of the clients in their scope.
    "ledger.view": ALL_ROLES,
    "ledger.edit": OFFICE,
    "ledger.reports": OFFICE | {Role.SUPERVISOR},
    # The credit decision for an order: who takes orders and who watches over them.
    "credit.check": OFFICE | {Role.SUPERVISOR, Role.SALESPERSON},
    # Client notices (avisos): the back office and supervisors write them; everyone reads them.
    "notices.manage": OFFICE | {Role.SUPERVISOR},
    "orders.view": OFFICE | {Role.SUPERVISOR, Role.SALESPERSON},
    "orders.take": OFFICE | {Role.SUPERVISOR, Role.SALESPERSON},
    # Delivery tracking, every order, the catalogue and its prices: the back office.
    "orders.manage": OFFICE,
    "products.manage": OFFICE,
    # Deliveries: the dispatch list and confirming a delivery (or a failed one) at the door.
    # Salespeople and the office often deliver themselves; there is no driver role.
    "deliveries.work": OFFICE | {Role.SUPERVISOR, Role.SALESPERSON},
    # Handing goods to someone the client did not authorise, on the deliverer's word.
    "deliveries.override": OFFICE | {Role.SUPERVISOR},
    # A client's own prices and discounts: the back office and supervisors.
    "conditions.manage": OFFICE | {Role.SUPERVISOR},
    # Preventistas often collect at the visit too, so they see collections.
    "collections.view": OFFICE | {Role.SUPERVISOR, Role.SALESPERSON, Role.COLLECTOR},
    # E-mail reminders and statements to clients; the office keeps the accounts and templates.
    "mail.send": OFFICE | {Role.SUPERVISOR, Role.COLLECTOR},
    "mail.manage": OFFICE,
    # Calls, promises and receipts in the field; the back office confirms the receipts.
    "collections.log": OFFICE | {Role.SUPERVISOR, Role.SALESPERSON, Role.COLLECTOR},
    "receipts.confirm": OFFICE,
    # The delinquency rule (days and amount that make a client moroso) and running it by hand.
    "delinquency.manage": OFFICE,
    # Tax registries (IIBB rates) uploaded by the office, imported in the background.
    "taxes.registry": OFFICE,
    "approvals.view": frozenset({Role.ADMIN, Role.SUPERVISOR}),
    # Reports: everyone sees the figures of the clients in their scope (SCOPES).
    "reports.view": ALL_ROLES,
    # The dashboard that manages a team: supervisors and the office.
    "reports.dashboard": OFFICE | {Role.SUPERVISOR},
    # Running the ABC rating now (cron runs it at night): the office.
    "reports.abc": OFFICE,
    "reports.settings": OFFICE,
    # The route day: salespeople and collectors work their own route; supervisors and the
    # office look at everyone's; the office keeps the visit plans and the reasons list.
    "route.work": frozenset({Role.SALESPERSON, Role.COLLECTOR, Role.SUPERVISOR}),
    "route.view": ALL_ROLES,
    "route.team": OFFICE | {Role.SUPERVISOR},
    "route.plan": OFFICE | {Role.SUPERVISOR},
    "visits.reasons": OFFICE,
    # Customer-service cases: anyone opens and works the cases of the clients in their scope;
    # the office and supervisors assign them and move due dates; the office sets the targets.
    "cases.view": ALL_ROLES,
    "cases.create": ALL_ROLES,
    "cases.work": ALL_ROLES,
    "cases.assign": OFFICE | {Role.SUPERVISOR},
    "cases.targets": OFFICE,
    "users.manage": frozenset({Role.ADMIN}),
    "attributes.manage": frozenset({Role.ADMIN}),
    "audit.view": frozenset({Role.ADMIN}),
    # Background jobs: each user follows the ones they started; the admin sees everyone's.
    "jobs.all": frozenset({Role.ADMIN}),
    "reference.manage": frozenset({Role.ADMIN}),
    # Exchange rates: everyone reads them (orders and documents use them); the office keeps them.
    "rates.view": ALL_ROLES,
    "rates.manage": OFFICE,
    # A client's CBU and accounting account on the card: the office and supervisors, who
    # settle transfers and accounts; salespeople and collectors do not need them in the street.
    "clients.banking": OFFICE | {Role.SUPERVISOR},
    # The loyalty rule (points per amount, expiry) and adjusting a client's points.
    "loyalty.manage": OFFICE,
}


# Which records a role reaches: its own (as salesperson or collector), its team's, or all.
SCOPES: dict[Role, str] = {
    Role.ADMIN: "all",
    Role.BACKOFFICE: "all",
    Role.SUPERVISOR: "team",
    Role.SALESPERSON: "own",
    Role.COLLECTOR: "own",
}


def can(user, action: str) -> bool:
    """True when the user's role grants the action."""
    if not user or not user.is_authenticated:
        return False
    return Role(user.role) in PERMISSIONS[action]


def requires(action: str) -> Callable:
    """Guard a view: sign-in required (401/redirect) and the action granted (403)."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown permission {action!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_permission = action
        return wrapper

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as open to anonymous users (sign-in page, health check, shell files)."""
    view.required_permission = None
    return view


def permission_of(view: Callable) -> str | None:
    """The permission a view declared; raises if it declared none."""
    if not hasattr(view, "required_permission"):
        raise LookupError(f"view {view.__name__} declares no permission")
    return view.required_permission


def guard_undeclared_views():
    """A view that declares no permission is refused: new routes are closed by default."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions[request.endpoint]
    if not hasattr(view, "required_permission"):
        current_app.logger.error("view %s declares no permission", request.endpoint)
        abort(403)
    return None
