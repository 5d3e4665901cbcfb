"""The identity provider's sign-in page ``/o/login/``: the site's layout, its links, its errors."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from monolith.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_has_the_sites_layout_and_links_to_reset_and_signup(client: Client):
    page = client.get("/o/login/?next=/o/authorize/%3Fclient_id%3Dx")

    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="site-header"' in html
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'href="/password/reset/"' in html
    assert 'href="/signup/"' in html
    assert 'name="next" value="/o/authorize/?client_id=x"' in html


def test_a_right_password_signs_in_and_goes_on(client: Client):
    user = UserFactory(username="zoe")

    response = client.post(
        "/o/login/", {"username": "zoe", "password": DEFAULT_PASSWORD, "next": "/o/authorize/"}
    )

    assert (response.status_code, response["Location"]) == (302, "/o/authorize/")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_wrong_password_is_said_and_the_username_stays(client: Client):
    UserFactory(username="zoe")

    page = client.post("/o/login/", {"username": "zoe", "password": "wrong"})

    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="notice error"' in html
    assert "did not match" in html
    assert 'value="zoe"' in html


def test_a_deactivated_account_is_told_so_once_the_password_is_right(client: Client):
    UserFactory(username="zoe", is_active=False)

    right = client.post("/o/login/", {"username": "zoe", "password": DEFAULT_PASSWORD}).content.decode()
    wrong = client.post("/o/login/", {"username": "zoe", "password": "wrong"}).content.decode()

    assert "This account is deactivated" in right
    assert SESSION_KEY not in client.session
    assert "deactivated" not in wrong  # a guess learns nothing about the account


def test_the_sign_in_page_speaks_french(client: Client):
    html = client.get("/o/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Mot de passe oublié ?" in html
    assert "Créer un compte" in html
