"""Writes with an Idempotency-Key happen once: replays answer the first result."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.idempotency import IdempotencyRecord
from app.core.types import utcnow
from app.extensions import db
from tests import factories
from tests.conftest import csrf_from

NEW_USER = {
    "username": "cobrador5",
    "full_name": "Ramón Ledesma",
    "role": "collector",
    "password": "clave-larga-1",
}


@pytest.fixture
def api(app, client):
    admin = factories.make_user("admin", username="jefa")
    db.session.commit()
    token = client.post(
        "/api/v1/auth/token", json={"username": "jefa", "password": factories.PASSWORD}
    ).json["token"]

    def post(body, key=None):
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        return client.post("/api/v1/users", json=body, headers=headers)

    post.admin = admin
    return post


def count_users(username="cobrador5") -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(User.username == username))


def test_same_key_and_body_returns_the_first_answer_and_creates_once(api):
    first = api(NEW_USER, key="key-0001-abcdef")
    again = api(NEW_USER, key="key-0001-abcdef")
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count_users() == 1


def test_same_key_with_another_body_is_422_and_changes_nothing(api):
    assert api(NEW_USER, key="key-0002-abcdef").status_code == 201
    other = NEW_USER | {"username": "cobrador6"}
    response = api(other, key="key-0002-abcdef")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "idempotency_key_reused"
    assert count_users("cobrador6") == 0


def test_key_order_in_the_json_does_not_matter(api):
    assert api(NEW_USER, key="key-0003-abcdef").status_code == 201
    reordered = dict(reversed(list(NEW_USER.items())))
    assert api(reordered, key="key-0003-abcdef").status_code == 201
    assert count_users() == 1


def test_a_key_still_running_gets_409(api):
    db.session.add(
        IdempotencyRecord(
            user_id=api.admin.id,
            key="key-0004-abcdef",
            fingerprint=_fingerprint_of(api),
            state="running",
            claimed_at=utcnow(),
        )
    )
    db.session.commit()
    response = api(NEW_USER, key="key-0004-abcdef")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "idempotency_key_in_progress"
    assert count_users() == 0


def test_a_claim_left_by_a_dead_worker_is_taken_over(api):
    db.session.add(
        IdempotencyRecord(
            user_id=api.admin.id,
            key="key-0005-abcdef",
            fingerprint=_fingerprint_of(api),
            state="running",
            claimed_at=utcnow() - timedelta(minutes=10),
        )
    )
    db.session.commit()
    response = api(NEW_USER, key="key-0005-abcdef")
    assert response.status_code == 201
    assert count_users() == 1
    assert api(NEW_USER, key="key-0005-abcdef").headers["Idempotent-Replayed"] == "true"


def test_a_failed_write_releases_its_key(api):
    bad = NEW_USER | {"password": "corta"}
    response = api(bad, key="key-0006-abcdef")
    assert response.status_code == 422
    assert "password" in response.json["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)) == 0
    assert api(NEW_USER, key="key-0006-abcdef").status_code == 201


def test_malformed_key_is_refused_with_field_details(api):
    response = api(NEW_USER, key="no spaces allowed")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json["error"]["fields"]
    assert count_users() == 0


def test_keys_belong_to_their_user(app, api):
    other = factories.make_user("admin", username="otra")
    db.session.commit()
    assert api(NEW_USER, key="key-0007-abcdef").status_code == 201
    token = (
        app.test_client()
        .post("/api/v1/auth/token", json={"username": "otra", "password": factories.PASSWORD})
        .json["token"]
    )
    response = app.test_client().post(
        "/api/v1/users",
        json=NEW_USER | {"username": "cobrador8"},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "key-0007-abcdef"},
    )
    assert response.status_code == 201
    assert other.id != api.admin.id


def test_a_double_submitted_html_form_creates_one_user(login_as):
    admin = login_as("admin")
    page = admin.get("/admin/users/new").get_data(as_text=True)
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {
        "csrf_token": csrf_from(page),
        "idempotency_key": key,
        "username": "doble",
        "full_name": "Doble Toque",
        "role": "salesperson",
        "supervisor_id": "0",
        "password": "clave-larga-1",
    }
    first = admin.client.post("/admin/users/new", data=form)
    second = admin.client.post("/admin/users/new", data=form)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert count_users("doble") == 1


def _fingerprint_of(api) -> str:
    """The fingerprint the server computes for NEW_USER posted to /api/v1/users."""
    from flask import current_app

    from app.core.idempotency import fingerprint

    with current_app.test_request_context("/api/v1/users", method="POST", json=NEW_USER):
        return fingerprint()


# --- purging old keys ------------------------------------------------------------------------


def idempotency_record(user: User, key: str, age: timedelta, state: str = "done") -> None:
    """A stored key claimed `age` ago, with the response it produced when done."""
    done = state == "done"
    db.session.add(
        IdempotencyRecord(
            user_id=user.id,
            key=key,
            fingerprint="0" * 64,
            state=state,
            claimed_at=utcnow() - age,
            status_code=201 if done else None,
            response_headers={"Content-Type": "application/json"} if done else None,
            response_body=b'{"id": 1}' if done else None,
        )
    )


def stored_keys() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(sa.select(IdempotencyRecord.key)))


def test_purge_deletes_the_keys_older_than_the_days_given(runner):
    user = factories.make_user("collector")
    idempotency_record(user, "viejo-0001", timedelta(days=31))
    idempotency_record(user, "viejo-0002", timedelta(days=400))
    idempotency_record(user, "reciente-01", timedelta(days=29))
    idempotency_record(user, "medio-0001", timedelta(days=10))
    db.session.commit()
    result = runner.invoke(args=["idempotency", "purge"])
    assert result.exit_code == 0, result.output
    assert result.output == "Claves de idempotencia borradas (de más de 30 días): 2.\n"
    assert stored_keys() == ["medio-0001", "reciente-01"]
    result = runner.invoke(args=["idempotency", "purge", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert result.output == "Claves de idempotencia borradas (de más de 7 días): 2.\n"
    assert stored_keys() == []


def test_purge_leaves_a_key_whose_request_is_still_running(runner):
    user = factories.make_user("collector")
    idempotency_record(user, "corriendo-1", timedelta(days=90), state="running")
    idempotency_record(user, "terminado-1", timedelta(days=90))
    db.session.commit()
    result = runner.invoke(args=["idempotency", "purge", "--days", "30"])
    assert result.output == "Claves de idempotencia borradas (de más de 30 días): 1.\n"
    assert stored_keys() == ["corriendo-1"]


def test_purge_refuses_a_number_of_days_below_one(runner):
    result = runner.invoke(args=["idempotency", "purge", "--days", "0"])
    assert result.exit_code == 2
    assert "--days" in result.output
