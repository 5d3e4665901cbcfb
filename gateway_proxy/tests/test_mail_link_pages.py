"""The pages behind the links in PolyCode's mails: a page first, the action on a button."""

import json

import pytest
from django.test import Client

from gateway_proxy.tests.conftest import assertion_of

pytestmark = pytest.mark.django_db
TOKEN = "Zx9-token_from-the-mail"


def _calls(upstream) -> list[dict]:
    return [r for r in upstream.requests if r["path"].startswith("/api/")]


def test_opening_the_verification_link_only_shows_a_button(client, monolith):
    response = client.get(f"/emails/verify/{TOKEN}")

    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    assert _calls(monolith) == []  # a mail scanner following the link confirms nothing


def test_the_button_verifies_the_address_through_the_accounts_api(client, monolith):
    monolith.mode, monolith.body = "json", {"id": 3, "email": "ada@example.com", "verified": True}

    response = client.post(f"/emails/verify/{TOKEN}")

    assert b"ada@example.com is confirmed" in response.content
    [call] = _calls(monolith)
    assert (call["method"], call["path"]) == ("POST", "/api/v1/accounts/emails/verify")
    assert json.loads(call["body"]) == {"token": TOKEN}
    assert assertion_of(call, "monolith").user_id == ""  # the token alone proves the mailbox


def test_a_refused_token_is_explained_with_the_apis_words(client, monolith):
    monolith.mode, monolith.status = "json", 400
    monolith.body = {"code": "invalid_token", "detail": "This link is invalid or has expired.", "fields": {}}

    response = client.post(f"/emails/verify/{TOKEN}")

    assert response.status_code == 200
    assert b"This link is invalid or has expired." in response.content


def test_when_the_accounts_service_is_down_the_page_says_so(client, register):
    from common.messaging.testing import free_port

    register("monolith", f"http://127.0.0.1:{free_port()}")

    response = client.post(f"/emails/verify/{TOKEN}")

    assert response.status_code == 200
    assert b"cannot answer right now" in response.content


def test_an_invitation_link_asks_to_log_in_first_and_comes_back(client, monolith):
    response = client.get(f"/teams/invitations/{TOKEN}")

    assert response.status_code == 302
    assert response["Location"] == f"/oidc/authenticate/?next=/teams/invitations/{TOKEN}"


@pytest.mark.parametrize(
    ("answer", "said"), [("accept", b"You joined Rustaceans."), ("decline", b"You declined")]
)
def test_a_signed_in_learner_answers_the_invitation_as_themselves(
    client, monolith, browser_session, answer, said
):
    monolith.mode, monolith.body = "json", {"team": {"id": 4, "name": "Rustaceans"}, "status": answer}
    browser_session(client)

    page = client.get(f"/teams/invitations/{TOKEN}")
    assert b"signed in as <strong>ada</strong>" in page.content
    response = client.post(f"/teams/invitations/{TOKEN}", {"answer": answer})

    assert said in response.content
    [call] = _calls(monolith)
    assert call["path"] == f"/api/v1/accounts/teams/invitations/{answer}"
    assert json.loads(call["body"]) == {"token": TOKEN}
    assert assertion_of(call, "monolith").user_id == "9"


def test_the_buttons_need_the_pages_csrf_token(monolith):
    client = Client(enforce_csrf_checks=True)

    assert client.post(f"/emails/verify/{TOKEN}").status_code == 403
    assert _calls(monolith) == []


def test_the_gateway_serves_these_pages_itself_instead_of_proxying_them(gateway, monolith):
    page = gateway.get(f"/emails/verify/{TOKEN}")
    invitation = gateway.get(f"/teams/invitations/{TOKEN}")

    assert (page.status, page.header("Content-Type")) == (200, "text/html; charset=utf-8")
    assert invitation.status == 302
    assert _calls(monolith) == []
