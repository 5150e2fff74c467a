"""Sign-in, sign-out, one's own account, and the admin's user pages."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash
from wtforms import SelectChoice

from app.auth import services
from app.auth.blueprint import bp
from app.auth.forms import ROLE_LABELS, LocaleForm, LoginForm, PasswordForm, UserForm
from app.auth.models import Role, User
from app.auth.permissions import guard_undeclared_views, public, requires
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.core.sqlite import start_writing
from app.core.types import utcnow
from app.extensions import db, limiter, login_manager


@login_manager.unauthorized_handler
def unauthorized():
    """API callers get 401 JSON; people are sent to sign in and brought back."""
    from app.core.errors import error_response, wants_json

    if wants_json():
        return error_response(401, "unauthorized", _("Tenés que iniciar sesión."))
    if request.headers.get("HX-Request"):
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = url_for("auth.login")
        return response
    return redirect(
        url_for(
            "auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None
        )
    )


def _safe_next(target: str | None) -> str:
    """Only local paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("shell.index")


def _login_key() -> str:
    """Rate-limit sign-in attempts per address and username."""
    username = (request.form.get("username") or "").strip().lower()
    return f"{request.remote_addr}|{username}"


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    key_func=_login_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code != 303,
)
def login():
    """Sign in with username and password; the session outlives a browser restart."""
    if current_user.is_authenticated:
        return redirect(url_for("shell.index"))
    form = LoginForm()
    if form.validate_on_submit():
        start_writing()
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except services.AccountLocked as exc:
            user = None
            minutes = max(1, int((exc.until - utcnow()).total_seconds() // 60) + 1)
            form.password.errors.append(
                _(
                    "Cuenta bloqueada por intentos fallidos. Probá de nuevo en %(n)d minutos.",
                    n=minutes,
                )
            )
        db.session.commit()  # failed attempts are counted even when sign-in fails
        if user is not None:
            login_user(user, remember=True)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")), 303)
        if not form.password.errors:
            form.password.errors.append(_("Usuario o contraseña incorrectos."))
    status = 422 if request.method == "POST" else 200
    return render("auth/login.html", form=form, status=status)


@bp.post("/logout")
@requires("app.use")
def logout():
    """Sign out of this device."""
    logout_user()
    session.pop("csrf_token", None)  # a page kept from this session cannot write in the next
    flash(_("Cerraste la sesión."), "info")
    return redirect(url_for("auth.login"), 303)


@bp.get("/account")
@requires("app.use")
def account():
    """One's own account: language and password."""
    return render(
        "auth/account.html",
        password_form=PasswordForm(),
        locale_form=LocaleForm(locale=current_user.locale or "es_AR"),
    )


@bp.post("/account/password")
@requires("app.use")
@write_endpoint
def change_password():
    """Change one's password; other sessions and tokens stop working."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not check_password_hash(current_user.password_hash, form.current.data):
            form.current.errors.append(_("La contraseña actual no es correcta."))
        else:
            user = current_user._get_current_object()
            services.set_password(user, form.new.data)
            login_user(user, remember=True)  # this device stays signed in
            flash(_("Cambiaste tu contraseña. Las otras sesiones se cerraron."), "success")
            return redirect(url_for("auth.account"), 303)
    return render(
        "auth/account.html",
        password_form=form,
        locale_form=LocaleForm(locale=current_user.locale or "es_AR"),
        status=422,
    )


@bp.post("/account/locale")
@requires("app.use")
@write_endpoint
def change_locale():
    """Choose the interface language."""
    form = LocaleForm()
    if not form.validate_on_submit():
        abort(422)
    data = _user_data(current_user)
    data.locale = form.locale.data
    services.update_user(current_user, data)
    return redirect(url_for("auth.account"), 303)


def _user_data(user: User) -> services.UserData:
    """The editable fields of an existing user."""
    return services.UserData(
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        email=user.email,
        supervisor_id=user.supervisor_id,
        active=user.active,
        locale=user.locale,
    )


def _supervisor_choices() -> list[SelectChoice]:
    """Supervisors a user can report to, with 0 for none."""
    bosses = db.session.scalars(
        sa.select(User)
        .where(User.role.in_([Role.SUPERVISOR, Role.ADMIN]), User.active)
        .order_by(User.full_name)
    ).all()
    return [
        SelectChoice(0, _("Sin supervisor")),
        *(SelectChoice(u.id, u.full_name) for u in bosses),
    ]


@bp.get("/admin/users")
@requires("users.manage")
def users():
    """All users, for the admin."""
    rows = db.session.scalars(sa.select(User).order_by(User.active.desc(), User.username)).all()
    return render("admin/users.html", users=rows, role_labels=ROLE_LABELS)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires("users.manage")
@write_endpoint
def new_user():
    """Create a user."""
    form = UserForm()
    form.supervisor_id.choices = _supervisor_choices()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("Este campo es obligatorio."))
        else:
            data = _form_data(form)
            try:
                user = services.create_user(data, form.password.data)
            except services.UserError as exc:
                _attach_errors(form, exc)
            else:
                flash(_("Usuario %(name)s creado.", name=user.username), "success")
                return redirect(url_for("auth.users"), 303)
    status = 422 if request.method == "POST" else 200
    return render("admin/user_form.html", form=form, user=None, status=status)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires("users.manage")
@write_endpoint
def edit_user(user_id: int):
    """Edit a user: role, team, active flag, password reset."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.supervisor_id.choices = _supervisor_choices()
    if request.method == "GET":
        form.supervisor_id.data = user.supervisor_id or 0
    if form.validate_on_submit():
        try:
            services.update_user(user, _form_data(form, locale=user.locale))
            if form.password.data:
                services.set_password(user, form.password.data)
        except services.UserError as exc:
            _attach_errors(form, exc)
        else:
            flash(_("Usuario %(name)s actualizado.", name=user.username), "success")
            return redirect(url_for("auth.users"), 303)
    status = 422 if request.method == "POST" else 200
    return render("admin/user_form.html", form=form, user=user, status=status)


def _form_data(form: UserForm, locale: str | None = None) -> services.UserData:
    """UserData from the admin form."""
    return services.UserData(
        username=form.username.data.strip(),
        full_name=form.full_name.data.strip(),
        role=form.role.data,
        email=(form.email.data or "").strip() or None,
        supervisor_id=form.supervisor_id.data or None,
        active=form.active.data,
        locale=locale,
    )


def _attach_errors(form: UserForm, exc: services.UserError) -> None:
    """Show a service's field errors on the form."""
    for field, message in exc.fields.items():
        getattr(form, field).errors.append(message)


bp.before_app_request(guard_undeclared_views)


@bp.app_template_global()
def role_label(role: str) -> str:
    """A role in words."""
    return ROLE_LABELS.get(role, role)
