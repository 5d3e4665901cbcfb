"""The leaderboard page: global and per team, competition ranks, the user's own row."""

import pytest

from monolith.accounts.services.teams import team_create
from monolith.accounts.services.wallet import wallet_credit
from monolith.accounts.tests.factories import UserFactory
from monolith.learning.pages.leaderboard import PER_PAGE

pytestmark = pytest.mark.django_db


def give(user, points):
    wallet_credit(user=user, amount=points, reference=f"test:{user.pk}:{points}")


def test_everyone_is_ranked_by_points_with_ties_sharing_a_rank(visitor_browser):
    for name, points in [("amy", 30), ("bob", 20), ("cat", 20), ("dan", 10)]:
        give(UserFactory(username=name), points)

    body = visitor_browser.get("/leaderboard/").content.decode()

    rows = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    ranks = [cell.split("</td>", 1)[0] for cell in rows.split('<td class="num">')[1::2]]
    assert ranks == ["1", "2", "2", "4"]
    assert rows.index("amy") < rows.index("bob") < rows.index("cat") < rows.index("dan")
    assert "Sign up" in body


def test_the_learners_own_row_is_highlighted_and_their_rank_stated(learner_browser, learner):
    give(UserFactory(username="amy"), 30)
    give(learner, 20)

    body = learner_browser.get("/leaderboard/").content.decode()

    assert '<tr class="me" id="me" aria-current="true">' in body
    me_row = body.split('<tr class="me"', 1)[1].split("</tr>", 1)[0]
    assert "ada" in me_row
    assert "20" in me_row
    assert "You are ranked <strong>#2</strong> with 20 points." in body


def test_a_learner_beyond_the_first_page_is_told_their_rank_and_given_their_page(learner_browser, learner):
    for number in range(PER_PAGE + 5):
        give(UserFactory(username=f"player{number}"), 100 + number)
    give(learner, 1)

    first_page = learner_browser.get("/leaderboard/").content.decode()
    last_page = learner_browser.get("/leaderboard/", {"page": 2}).content.decode()

    assert f"You are ranked <strong>#{PER_PAGE + 6}</strong> with 1 point." in first_page
    assert 'class="me"' not in first_page
    assert 'href="?page=2#me"' in first_page
    assert 'class="me"' in last_page


def test_staff_are_not_ranked(staff_browser, staff):
    give(staff, 50)

    body = staff_browser.get("/leaderboard/").content.decode()

    assert 'class="me"' not in body
    assert "Nobody is ranked yet." in body


def test_a_team_board_ranks_only_its_members_and_keeps_the_team_across_pages(learner_browser, learner):
    teammate = UserFactory(username="teammate")
    outsider = UserFactory(username="outsider")
    give(outsider, 100)
    give(teammate, 40)
    give(learner, 10)
    team = team_create(captain=learner, name="Night owls")
    team.memberships.create(user=teammate)
    for number in range(PER_PAGE):
        member = UserFactory(username=f"member{number}")
        team.memberships.create(user=member)

    body = learner_browser.get("/leaderboard/", {"team": team.id}).content.decode()

    assert "Leaderboard of Night owls" in body
    assert "outsider" not in body
    assert "teammate" in body
    assert "You are ranked <strong>#2</strong> with 10 points." in body
    assert f'<option value="{team.id}" selected>Night owls</option>' in body
    assert f'href="?team={team.id}&amp;page=2"' in body


def test_another_teams_board_is_not_found(learner_browser, other_learner):
    foreign = team_create(captain=other_learner, name="Elsewhere")

    assert learner_browser.get("/leaderboard/", {"team": foreign.id}).status_code == 404
    assert learner_browser.get("/leaderboard/", {"team": 999999}).status_code == 404


def test_a_team_that_is_not_a_number_is_an_error_next_to_the_picker(learner_browser, learner):
    team_create(captain=learner, name="Night owls")

    response = learner_browser.get("/leaderboard/", {"team": "owls"})

    body = response.content.decode()
    assert response.status_code == 400
    assert 'class="field has-error"' in body
    assert "Choose one of your teams." in body


def test_an_anonymous_visitor_cannot_see_a_team_board(visitor_browser, learner):
    team = team_create(captain=learner, name="Night owls")

    assert visitor_browser.get("/leaderboard/", {"team": team.id}).status_code == 404


def test_the_leaderboard_reads_a_fixed_number_of_queries(
    learner_browser, learner, django_assert_max_num_queries
):
    for number in range(PER_PAGE * 2):
        give(UserFactory(username=f"player{number}"), number + 1)
    give(learner, 5)

    with django_assert_max_num_queries(9):
        response = learner_browser.get("/leaderboard/")

    assert response.status_code == 200


def test_the_leaderboard_speaks_french(learner_browser, learner):
    learner.preferred_language = "fr"
    learner.save()
    give(learner, 3)

    body = learner_browser.get("/leaderboard/").content.decode()

    assert "Classement" in body
    assert "Vous êtes classé·e <strong>n° 1</strong> avec 3 points." in body
