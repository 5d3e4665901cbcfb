"""The campaign pages are the monolith's (it owns campaigns): routed there, the polled scoreboard too."""

import pytest

from gateway_proxy.tests.conftest import assertion_of

pytestmark = pytest.mark.django_db
PAGES = ["/campaigns/", "/campaigns/7/", "/campaigns/7/scoreboard", "/campaigns/7/scoreboard/board"]


@pytest.mark.parametrize("path", PAGES)
def test_a_campaign_page_reaches_the_monolith_as_the_visitor(gateway, monolith, path):
    response = gateway.get(path)

    assert response.status == 200
    [seen] = monolith.requests
    assert (seen["method"], seen["path"]) == ("GET", path)
    assert assertion_of(seen, "monolith").user_id == ""


def test_a_submission_is_posted_to_the_monolith_from_the_same_origin(gateway, monolith):
    path = "/campaigns/7/exercises/A/submit"
    response = gateway.post(path, body=b"language=python&code=x", headers={"Origin": "http://testserver"})

    assert response.status == 200
    assert [(r["method"], r["path"]) for r in monolith.requests] == [("POST", path)]
