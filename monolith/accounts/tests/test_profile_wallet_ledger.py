import pytest

from monolith.accounts.services.wallet import wallet_credit, wallet_debit

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"


def test_a_user_reads_their_own_profile(learner_client, learner):
    response = learner_client.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["username"], body["email"]) == (learner.pk, "ada", "ada@example.com")
    assert body["preferred_language"] == "en"


def test_a_user_updates_their_profile_fields(learner_client, learner):
    response = learner_client.patch(
        ME,
        {"description": "Compilers.", "preferred_language": "fr", "preferred_editing_language": "rust"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    learner.refresh_from_db()
    assert (learner.description, learner.preferred_language, learner.preferred_editing_language) == (
        "Compilers.",
        "fr",
        "rust",
    )


def test_the_profile_update_ignores_fields_a_user_may_not_change(learner_client, learner):
    response = learner_client.patch(
        ME,
        {"username": "root", "is_staff": True, "email": "x@example.com", "description": "hi"},
        format="json",
    )
    assert response.status_code == 200
    learner.refresh_from_db()
    assert (learner.username, learner.is_staff, learner.email, learner.description) == (
        "ada",
        False,
        "ada@example.com",
        "hi",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("preferred_language", "de"),
        ("preferred_editing_language", "cobol"),
        ("description", "x" * 2001),
        ("preferred_language", None),
    ],
)
def test_profile_values_outside_the_choices_or_too_long_are_refused(learner_client, learner, field, value):
    response = learner_client.patch(ME, {field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    learner.refresh_from_db()
    assert (learner.description, learner.preferred_language, learner.preferred_editing_language) == (
        "",
        "en",
        "",
    )


def test_the_wallet_shows_the_users_own_balance(learner_client, learner, other_learner):
    wallet_credit(user=learner, amount=40, reference="r1")
    wallet_credit(user=other_learner, amount=99, reference="r2")
    response = learner_client.get(f"{ME}/wallet")
    assert response.status_code == 200
    assert response.json() == {"balance": 40}


def test_a_user_without_a_wallet_has_zero_points(learner_client):
    assert learner_client.get(f"{ME}/wallet").json() == {"balance": 0}


def test_the_ledger_lists_only_own_entries_newest_first_and_paginated(learner_client, learner, other_learner):
    for i in range(25):
        wallet_credit(user=learner, amount=i + 1, reference=f"reward:{i}")
    wallet_debit(user=learner, amount=3, reference="shop:1", reason="hint")
    wallet_credit(user=other_learner, amount=5, reference="someone-else")

    first = learner_client.get(f"{ME}/ledger").json()
    second = learner_client.get(f"{ME}/ledger", {"page": 2}).json()

    assert first["count"] == 26
    assert first["results"][0] | {"id": 0, "created_at": ""} == {
        "id": 0,
        "amount": -3,
        "reference": "shop:1",
        "reason": "hint",
        "created_at": "",
    }
    references = [row["reference"] for row in first["results"] + second["results"]]
    assert len(references) == len(set(references)) == 26
    assert "someone-else" not in references


def test_anonymous_requests_to_own_data_are_refused_with_json(api_client):
    for url in [ME, f"{ME}/wallet", f"{ME}/ledger", "/api/v1/accounts/emails", "/api/v1/accounts/teams"]:
        response = api_client.get(url)
        assert response.status_code in (401, 403), url
        assert response.json()["code"] == "not_authenticated"
