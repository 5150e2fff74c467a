"""Offline, the phone's card says why each limit applies, from what the sync carried: the
demo gives vendedor1 clients with limits of their own."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_offline import go_offline, open_offline, phone  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e

# vendedor1's synced clients with a limit of their own, and what the phone holds of each.
OWN = """async () => {
  const store = await import(document.documentElement.dataset.static + "js/store.js");
  return (await store.listClients())
    .filter((c) => Object.values(c.credit.sources ?? {}).includes("own"))
    .map((c) => ({id: c.id, sources: c.credit.sources, why: c.credit.why}));
}"""


def test_the_offline_card_says_why_each_limit_applies(
    proxied_context,
    proxied_server,
    phone,  # noqa: F811
):
    page = phone
    own = page.evaluate(OWN)
    assert own, "the demo data gives vendedor1 clients with limits of their own"
    client = own[0]
    go_offline(proxied_context, proxied_server)
    open_offline(page, f"/clients/{client['id']}", "card")
    credit = page.locator("#credit")
    expect(credit).to_be_visible()
    for name, source in client["sources"].items():
        line = credit.locator(f"[data-limit='{'age' if name == 'age_days' else name}']")
        expect(line).to_be_visible()
        why = line.locator("[data-slot=why]")
        expect(why).to_have_text(client["why"][name])
        if source == "own":
            expect(why).to_have_text("límite propio")
    expect(credit.locator("[data-slot=why]:visible").first).to_have_text(re.compile(r"\S"))
