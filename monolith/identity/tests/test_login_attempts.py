"""Password logins are limited: after five failures, even the right password is refused for a while."""

import pytest

from monolith.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("login_url", ["/admin/login/", "/o/login/"])
def test_after_five_wrong_passwords_the_right_one_is_refused(client, login_url):
    UserFactory(username="grace", is_staff=True, is_superuser=True)
    wrong = {"username": "grace", "password": "guess"}
    statuses = [client.post(login_url, wrong).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks

    locked = client.post(login_url, {"username": "grace", "password": DEFAULT_PASSWORD})

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_other_clients_and_accounts_are_not_locked_out(client):
    UserFactory(username="grace")
    UserFactory(username="ada")
    for _ in range(5):
        client.post("/o/login/", {"username": "grace", "password": "guess"})

    from_elsewhere = client.post(
        "/o/login/", {"username": "grace", "password": DEFAULT_PASSWORD}, REMOTE_ADDR="10.0.0.8"
    )
    other_account = client.post("/o/login/", {"username": "ada", "password": DEFAULT_PASSWORD})

    assert from_elsewhere.status_code == 302
    assert other_account.status_code == 302


def test_a_success_before_the_limit_resets_the_count(client):
    UserFactory(username="grace")
    for _ in range(4):
        client.post("/o/login/", {"username": "grace", "password": "guess"})
    assert client.post("/o/login/", {"username": "grace", "password": DEFAULT_PASSWORD}).status_code == 302
    client.logout()

    for _ in range(4):
        client.post("/o/login/", {"username": "grace", "password": "guess"})

    assert client.post("/o/login/", {"username": "grace", "password": DEFAULT_PASSWORD}).status_code == 302
