"""The pages behind the links in mails are the monolith's (it owns addresses and teams): routed there."""

import pytest

from gateway_proxy.tests.conftest import assertion_of

pytestmark = pytest.mark.django_db
TOKEN = "Zx9-token_from-the-mail"
LINKS = [f"/emails/verify/{TOKEN}", f"/teams/invitations/{TOKEN}"]


@pytest.mark.parametrize("path", LINKS)
def test_opening_a_link_from_a_mail_reaches_the_monolith_as_the_visitor(gateway, monolith, path):
    response = gateway.get(path)

    assert response.status == 200
    [seen] = monolith.requests
    assert (seen["method"], seen["path"]) == ("GET", path)
    assert assertion_of(seen, "monolith").user_id == ""  # anonymous: no gateway session


@pytest.mark.parametrize("path", LINKS)
def test_the_pages_button_is_posted_to_the_monolith_from_the_same_origin(gateway, monolith, path):
    response = gateway.post(path, body=b"answer=accept", headers={"Origin": "http://testserver"})

    assert response.status == 200
    assert [(r["method"], r["path"]) for r in monolith.requests] == [("POST", path)]
