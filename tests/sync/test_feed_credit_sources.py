"""The sync feed carries what the phone needs to decide credit as the server does: the
client's own limits, the policies it resolves them from, and its family's shared limit with
the family's exposure, kept fresh when another member's account moves."""

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from app.clients.models import Family
from app.core.types import local_today
from app.credit.models import CreditPolicy
from app.extensions import db
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.sync.test_feed import ids, sync

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def family_setup(api):  # noqa: F811
    """A salesperson's client in a family sharing $ 10.000, with a zone policy and an own
    documents limit; the family's other member belongs to someone else."""
    seller = api("salesperson")
    policy = CreditPolicy(code="ZN", name="Norte a 30 días", max_age_days=30)
    db.session.add(policy)
    db.session.flush()
    zone = factories.make_zone(name="Norte", credit_policy_id=policy.id)
    family = Family(name="Grupo Sur", credit_limit=Decimal("10000"))
    db.session.add(family)
    db.session.flush()
    mine = factories.make_client(
        salesperson_id=seller.user.id,
        sales_zone_id=zone.id,
        family_id=family.id,
        credit_max_documents=2,
    )
    sister = factories.make_client(family_id=family.id)
    factories.post_document(mine, amount="1000")
    factories.post_document(sister, amount="8500")
    db.session.commit()
    return seller, mine, sister


def test_the_feed_carries_own_limits_policies_and_the_familys_limit(family_setup):
    seller, mine, _sister = family_setup
    body = sync(seller)
    assert ids(body) == [mine.id]
    credit = body["clients"][0]["credit"]
    assert credit["limits"] == {"money": None, "documents": 2, "age_days": 30}
    assert credit["own_limits"] == {"money": None, "documents": 2, "age_days": None}
    assert credit["assigned"] == [
        {
            "source": "zone",
            "name": "Norte a 30 días",
            "holder": "Norte",
            "limits": {"money": None, "documents": None, "age_days": 30},
        }
    ]
    assert credit["sources"] == {"documents": "own", "age_days": "zone"}
    assert credit["family"] == {"name": "Grupo Sur", "money": "10000.00", "others": "8500.00"}
    assert credit["why"] == {
        "documents": "límite propio",
        "age_days": "política de la zona Norte",
        "family": "límite de la familia Grupo Sur",
    }


def test_another_members_invoice_reaches_the_phone_in_the_next_delta(family_setup):
    seller, mine, sister = family_setup
    cursor = sync(seller)["cursor"]
    assert sync(seller, cursor)["clients"] == []
    factories.post_document(sister, amount="200")
    db.session.commit()
    body = sync(seller, cursor)
    assert ids(body) == [mine.id]
    assert body["clients"][0]["credit"]["family"]["others"] == "8700.00"


def test_the_phone_decides_from_the_synced_snapshot_as_the_server_does(family_setup):
    """node runs the JavaScript decision over the snapshot the feed sent."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    seller, mine, _sister = family_setup
    snapshot = sync(seller)["clients"][0]["credit"]
    script = (
        'import { decide, resolveLimits } from "./static/js/credit.js";\n'
        f"const snapshot = {json.dumps(snapshot)};\n"
        "const resolved = resolveLimits(snapshot.own_limits, snapshot.assigned);\n"
        f'const decision = decide(snapshot, "600.00", "current_account", "{local_today()}");\n'
        "console.log(JSON.stringify({resolved, decision}));\n"
    )
    result = subprocess.run(
        [node, "--input-type=module", "-e", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(result.stdout)
    assert answer["resolved"]["limits"] == snapshot["limits"]
    assert answer["resolved"]["sources"] == snapshot["sources"]
    server = seller.get(f"/api/v1/clients/{mine.id}/credit?amount=600").json
    assert answer["decision"]["failures"] == server["failures"]
    assert server["failures"][0]["message"] == (
        "Supera el límite de la familia Grupo Sur en $ 100 (límite $ 10.000)"
    )
