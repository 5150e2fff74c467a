"""The admin searches the audit log."""

from app.audit import services as audit
from app.extensions import db
from tests import factories


def test_admin_filters_the_log_by_record_action_and_person(login_as):
    admin = login_as("admin")
    clerk = factories.make_user("backoffice", full_name="Lucía Benítez")
    audit.record("client.update", "client", 7, {"state": "active"}, {"state": "disabled"}, clerk.id)
    audit.record("client.create", "client", 8, None, {"code": "C000008"}, clerk.id)
    audit.record("user.update", "user", 3, {"role": "collector"}, {"role": "salesperson"})
    db.session.commit()

    page = admin.get("/admin/audit/?entity_type=client&entity_id=7").get_data(as_text=True)
    assert "active → disabled" in page and "Lucía Benítez" in page
    assert "C000008" not in page

    page = admin.get("/admin/audit/?action=user.").get_data(as_text=True)
    assert "collector → salesperson" in page and "active → disabled" not in page

    page = admin.get(f"/admin/audit/?actor_id={clerk.id}").get_data(as_text=True)
    assert "2 registros" in page

    fragment = admin.get("/admin/audit/?since=2000-01-01&until=bad", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "registros" in body


def test_only_admins_read_the_log(login_as):
    assert login_as("backoffice").get("/admin/audit/").status_code == 403
