"""axe-core (npm, node_modules/axe-core) run in Chromium on the pages people live in — the
owner's home, an engagement, a milestone, a freelancer; the freelancer's portal home and
milestone; the referee's questionnaire — at desktop and phone width: no serious or critical
violation (WCAG 2.x A and AA rules, colour contrast included)."""

import json
from pathlib import Path

import pytest

from freelancers.tests.conftest import request_reference

from .conftest import client_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
RUN_AXE = """async () => {
  const tags = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"];
  const result = await axe.run(document, {resultTypes: ["violations"], runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + n.failureSummary)}));
}"""


def _serious(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate(AXE.read_text())
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in ("serious", "critical")]


def _signed_in(browser, live_server, user, viewport):
    """A browser context carrying `user`'s session (CSP bypassed only so axe itself can run)."""
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    session = client_for(user).cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_or_critical_axe_violation(browser, live_server, world, owner, freelancer_a, width):
    assert AXE.exists(), "run `npm ci`: axe-core is a dev dependency in package.json"
    engagement, milestone = world.engagement, world.milestone
    token = request_reference(world.reference, owner)
    owner_pages = ["/", f"/engagements/{engagement.pk}/", f"/engagements/{engagement.pk}/milestones/{milestone.pk}/",
                   f"/freelancers/{freelancer_a.pk}/"]
    portal_pages = ["/portal/", f"/portal/engagements/{engagement.pk}/milestones/{milestone.pk}/"]
    found = {}
    for user, paths in ((owner, owner_pages), (freelancer_a.user, portal_pages), (None, [f"/reference/{token}/"])):
        context = (_signed_in(browser, live_server, user, WIDTHS[width]) if user
                   else browser.new_context(viewport=WIDTHS[width], bypass_csp=True))
        page = context.new_page()
        for path in paths:
            violations = _serious(page, live_server.url + path)
            assert page.url.startswith(live_server.url) and "/login" not in page.url, page.url
            if violations:
                found[path] = violations
        context.close()
    assert found == {}, json.dumps(found, indent=1)
