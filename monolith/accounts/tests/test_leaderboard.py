import pytest
from django.utils import timezone

from monolith.accounts.models import User, Wallet
from monolith.accounts.services.wallet import wallet_credit
from monolith.accounts.tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LEADERBOARD = "/api/v1/accounts/leaderboard"


def _users_with_points(points: list[int]):
    users = []
    for i, amount in enumerate(points):
        user = UserFactory(username=f"u{i:02d}")
        if amount:
            wallet_credit(user=user, amount=amount, reference=f"seed:{i}")
        users.append(user)
    return users


def test_ties_share_a_rank_and_the_next_rank_skips(learner_client, learner):
    _users_with_points([50, 80, 50, 10])
    response = learner_client.get(LEADERBOARD)
    assert response.status_code == 200
    rows = [(r["rank"], r["username"], r["points"]) for r in response.json()["results"]]
    assert rows == [
        (1, "u01", 80),
        (2, "u00", 50),
        (2, "u02", 50),
        (4, "u03", 10),
        (5, "ada", 0),
    ]


def test_later_pages_keep_global_ranks_and_a_stable_order(learner_client, learner):
    # 30 users in three tied groups; created so that id order differs from username order.
    users = _users_with_points([30 if i % 3 == 0 else 20 if i % 3 == 1 else 10 for i in range(30)])
    learner.is_active = False
    learner.save()
    # Rewrite the older rows so that the table's physical order is no longer the id
    # order (PostgreSQL writes an updated row elsewhere): only an explicit tie-break
    # keeps the order below.
    Wallet.objects.filter(user__in=users[:15]).update(updated_at=timezone.now())
    User.objects.filter(pk__in=[u.pk for u in users[:15]]).update(last_login=timezone.now())

    pages = [learner_client.get(LEADERBOARD, {"page": n, "page_size": 7}).json() for n in range(1, 6)]
    rows = [row for page in pages for row in page["results"]]
    again = [
        row
        for n in range(1, 6)
        for row in learner_client.get(LEADERBOARD, {"page": n, "page_size": 7}).json()["results"]
    ]

    assert pages[0]["count"] == 30
    assert rows == again
    assert len({r["username"] for r in rows}) == 30
    assert [r["rank"] for r in rows] == [1] * 10 + [11] * 10 + [21] * 10
    # Inside a tie, users come by id (creation order here).
    assert [r["username"] for r in rows[:10]] == [f"u{i:02d}" for i in range(0, 30, 3)]


def test_a_deep_page_is_read_without_loading_everyone(learner_client, django_assert_num_queries):
    _users_with_points(list(range(1, 41)))
    with django_assert_num_queries(2):  # the count, then the page with its ranks
        response = learner_client.get(LEADERBOARD, {"page": 4, "page_size": 10})
    rows = response.json()["results"]
    assert [r["rank"] for r in rows] == list(range(31, 41))
    assert rows[0]["points"] == 10


def test_staff_and_inactive_accounts_are_not_ranked(learner_client, learner):
    StaffFactory(username="boss")
    UserFactory(username="gone", is_active=False)
    usernames = [r["username"] for r in learner_client.get(LEADERBOARD).json()["results"]]
    assert usernames == ["ada"]


def test_a_page_past_the_end_is_a_json_404(learner_client, learner):
    response = learner_client.get(LEADERBOARD, {"page": 99})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
