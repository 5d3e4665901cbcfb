"""The campaign pages behind the gateway: list, registration, exercises, scoreboard, management."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from common.identity.testing import GatewayClient
from monolith.accounts.tests.factories import TeamFactory, UserFactory
from monolith.campaigns import services
from monolith.campaigns.models import Campaign, CampaignResult, CampaignSubmission, Registration
from monolith.campaigns.tests.conftest import secret_exercise, solution
from monolith.campaigns.tests.factories import CampaignExerciseFactory, CampaignFactory, RegistrationFactory
from monolith.shop_legacy.models import Item

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def end(campaign):
    campaign.starts_at = timezone.now() - timedelta(hours=2)
    campaign.ends_at = timezone.now() - timedelta(minutes=1)
    campaign.save()


def test_the_list_shows_running_upcoming_and_past_campaigns(visitor_browser, campaign):
    CampaignFactory(
        title="Later",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=2),
    )
    past = CampaignFactory(title="Before")
    end(past)
    page = text(visitor_browser.get("/campaigns/"))
    assert (
        page.index("Running now") < page.index(campaign.title) < page.index("Upcoming") < page.index("Later")
    )
    assert page.index("Past campaigns") < page.index("Before")


def test_a_team_internal_campaign_is_seen_only_by_its_members(learner_browser, learner, other_learner):
    team = TeamFactory(captain=other_learner)
    internal = CampaignFactory(title="Inside job", team=team)
    assert "Inside job" not in text(learner_browser.get("/campaigns/"))
    assert learner_browser.get(f"/campaigns/{internal.id}/").status_code == 404
    team.memberships.create(user=learner)
    assert "Inside job" in text(learner_browser.get("/campaigns/"))


def test_a_learner_registers_and_a_second_try_is_told_so(learner_browser, campaign):
    response = learner_browser.post(f"/campaigns/{campaign.id}/register", follow=True)
    assert "ada is registered." in text(response)
    response = learner_browser.post(f"/campaigns/{campaign.id}/register", follow=True)
    assert "You are already registered for this campaign." in text(response)
    assert Registration.objects.filter(campaign=campaign).count() == 1


def test_the_second_member_registering_a_team_gets_a_clear_error_and_nothing_changes(learner, other_learner):
    campaign = CampaignFactory(participation="team")
    team = TeamFactory(captain=learner, name="Lambdas")
    team.memberships.create(user=other_learner)
    GatewayClient(learner).post(f"/campaigns/{campaign.id}/register", {"team": team.id})
    response = GatewayClient(other_learner).post(
        f"/campaigns/{campaign.id}/register", {"team": team.id}, follow=True
    )
    assert "Lambdas is already registered (by ada)." in text(response)
    assert "Your team Lambdas is registered." in text(response)
    assert Registration.objects.filter(campaign=campaign).count() == 1


def test_registering_a_team_one_is_not_in_is_refused(learner_browser):
    campaign = CampaignFactory(participation="team")
    other = TeamFactory()
    response = learner_browser.post(f"/campaigns/{campaign.id}/register", {"team": other.id}, follow=True)
    assert "Choose one of your teams." in text(response)
    assert not Registration.objects.exists()


# --- nothing leaks before the start --------------------------------------------------


@pytest.fixture
def upcoming(campaign, learner):
    campaign.starts_at = timezone.now() + timedelta(minutes=10)
    campaign.ends_at = timezone.now() + timedelta(hours=2)
    campaign.save()
    RegistrationFactory(campaign=campaign, user=learner)
    return campaign


def secrets_of(campaign) -> list[str]:
    """Every piece of the campaign's exercises a participant must not see before the start."""
    found = []
    for item in campaign.exercises.select_related("exercise"):
        found += [item.exercise.title, item.exercise.body, item.exercise.slug]
        for validator in item.exercise.validators.all():
            found += validator.stdin + validator.expected_stdout
    return found


def assert_no_leak(response, campaign):
    body = response.content.decode()
    for secret in secrets_of(campaign):
        assert secret not in body, secret


def test_before_the_start_no_page_shows_the_exercises_or_their_tests(
    upcoming, learner_browser, visitor_browser, runner
):
    item = upcoming.exercises.first()
    exercise = item.exercise
    for browser in (learner_browser, visitor_browser):
        for url in (
            "/campaigns/",
            f"/campaigns/{upcoming.id}/",
            f"/campaigns/{upcoming.id}/scoreboard",
            f"/campaigns/{upcoming.id}/scoreboard/board",
            f"/campaigns/{upcoming.id}/participants/{upcoming.registrations.get().id}/",
            f"/campaigns/{upcoming.id}/exercises/A/",
            f"/campaigns/{upcoming.id}/exercises/B/",
            f"/campaigns/{upcoming.id}/manage/",
            f"/learn/exercises/{exercise.id}/",
            f"/learn/modules/{exercise.module_id}/",
            "/learn/",
            "/learn/submissions/",
            "/dashboard/",
        ):
            response = browser.get(url)
            assert response.status_code in (200, 302, 404), url
            assert_no_leak(response, upcoming)
    response = learner_browser.post(
        f"/campaigns/{upcoming.id}/exercises/A/submit", {"language": "python", "code": "print(1)"}, **HTMX
    )
    assert response.status_code == 404
    assert_no_leak(response, upcoming)
    assert "The exercises are revealed when the campaign starts" in text(
        learner_browser.get(f"/campaigns/{upcoming.id}/")
    )
    assert runner.calls == []
    assert not CampaignSubmission.objects.exists()


def test_before_the_start_the_json_api_gives_nothing_of_the_exercises(upcoming, learner_client):
    exercise = upcoming.exercises.first().exercise
    hidden = exercise.validators.filter(is_hidden=True).first()
    Item.objects.create(exercise=exercise, title="Alpha hint", hint_text="Alpha hint text", cost=1)
    Item.objects.create(exercise=exercise, kind="validator", validator=hidden, title="Alpha test", cost=1)
    for url in (
        "/api/v1/shop/items/",
        f"/api/v1/shop/items/?exercise={exercise.id}",
        "/api/v1/learning/modules/",
        f"/api/v1/learning/modules/{exercise.module_id}/",
        f"/api/v1/learning/contents/{exercise.id}/",
        f"/api/v1/learning/validators/{exercise.validators.first().id}/",
        "/api/v1/learning/submissions/",
        "/api/v1/learning/progress/",
        "/api/schema/",
    ):
        response = learner_client.get(url)
        assert response.status_code in (200, 403, 404, 405), url
        assert_no_leak(response, upcoming)
    for action in ("run", "submit"):
        response = learner_client.post(
            f"/api/v1/learning/exercises/{exercise.id}/{action}/",
            {"language": "python", "code": "print(1)"},
            format="json",
        )
        assert response.status_code in (403, 404), action
        assert_no_leak(response, upcoming)


def test_managers_see_the_exercises_before_the_start(upcoming, staff_browser):
    page = text(staff_browser.get(f"/campaigns/{upcoming.id}/"))
    assert "Alpha" in page
    assert "Beta" in page


# --- during the campaign ----------------------------------------------------------------


def test_a_participant_reads_an_exercise_and_submits_hidden_tests_only_counted(
    campaign, learner, learner_browser, runner
):
    RegistrationFactory(campaign=campaign, user=learner)
    item = campaign.exercises.get(position=0)
    page = text(learner_browser.get(f"/campaigns/{campaign.id}/exercises/A/"))
    assert "SECRET-Alpha" in page
    assert "and 1 hidden test" in page
    code = solution(runner, item, passing=2)
    response = learner_browser.post(
        f"/campaigns/{campaign.id}/exercises/A/submit", {"language": "python", "code": code}, **HTMX
    )
    body = text(response)
    assert response.status_code == 200
    assert "Rejected: 2 of 3 tests passed." in body
    assert "0 of 1 hidden test passed." in body
    assert "Alpha-in-0" in body  # a public test's input is shown
    assert re.search(r'<section id="my-submissions"[^>]*hx-swap-oob="true"', response.content.decode())
    assert "Alpha-in-2" not in body
    assert "Alpha-out-2" not in body


def test_a_bad_language_comes_back_as_an_error_with_the_code_kept(campaign, learner, learner_browser, runner):
    RegistrationFactory(campaign=campaign, user=learner)
    response = learner_browser.post(
        f"/campaigns/{campaign.id}/exercises/A/submit", {"language": "cobol", "code": "my code"}
    )
    assert response.status_code == 400
    assert "This exercise cannot be solved in that language" in text(response)
    assert "my code" in response.content.decode()


def test_after_the_end_the_server_refuses_submissions(campaign, learner, learner_browser, runner):
    RegistrationFactory(campaign=campaign, user=learner)
    end(campaign)
    response = learner_browser.post(
        f"/campaigns/{campaign.id}/exercises/A/submit", {"language": "python", "code": "print(1)"}, **HTMX
    )
    assert response.status_code == 409
    assert "The campaign has ended: submissions are closed." in text(response)
    assert runner.calls == []
    assert not CampaignSubmission.objects.exists()


# --- the scoreboard ----------------------------------------------------------------------


def test_the_scoreboard_polls_its_fragment_and_states_the_tie_rule(
    campaign, learner, other_learner, learner_browser, runner
):
    RegistrationFactory(campaign=campaign, user=learner)
    RegistrationFactory(campaign=campaign, user=other_learner)
    item = campaign.exercises.get(position=0)
    services.campaign_submit(
        campaign=campaign, user=other_learner, campaign_exercise=item, language="python", code="nope"
    )
    services.campaign_submit(
        campaign=campaign,
        user=other_learner,
        campaign_exercise=item,
        language="python",
        code=solution(runner, item),
    )
    response = learner_browser.get(f"/campaigns/{campaign.id}/scoreboard")
    html = response.content.decode()
    assert f'hx-get="/campaigns/{campaign.id}/scoreboard/board"' in html
    assert 'hx-trigger="every 10s"' in html
    assert "Ties are broken by who reached their score first" in text(response)
    fragment = learner_browser.get(f"/campaigns/{campaign.id}/scoreboard/board", **HTMX)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", fragment.content.decode(), re.S)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows[1:]]
    assert cells[0].startswith("1 grace 1 ")
    assert "+1" in cells[0]
    assert cells[1].startswith("2 ada (you) 0 0")
    assert 'class="me"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_during_the_freeze_participants_see_pending_and_staff_see_the_live_board(
    campaign, learner, other_learner, learner_browser, staff_browser, runner
):
    RegistrationFactory(campaign=campaign, user=learner)
    RegistrationFactory(campaign=campaign, user=other_learner)
    item = campaign.exercises.get(position=0)
    services.campaign_submit(
        campaign=campaign,
        user=other_learner,
        campaign_exercise=item,
        language="python",
        code=solution(runner, item),
    )
    campaign.freeze_minutes = 30
    campaign.ends_at = timezone.now() + timedelta(minutes=10)
    campaign.save()
    board = text(learner_browser.get(f"/campaigns/{campaign.id}/scoreboard/board"))
    assert "The board is frozen since" in board
    assert "1 pending" in board
    registration = campaign.registrations.get(user=other_learner)
    detail = text(learner_browser.get(f"/campaigns/{campaign.id}/participants/{registration.id}/"))
    assert "pending" in detail
    assert "accepted" not in detail
    live = text(staff_browser.get(f"/campaigns/{campaign.id}/scoreboard/board"))
    assert "frozen" not in live
    assert "pending" not in live
    end(campaign)
    final = text(learner_browser.get(f"/campaigns/{campaign.id}/scoreboard/board"))
    assert "Final board." in final
    assert "pending" not in final


def test_the_first_page_after_the_end_publishes_the_results_once(
    campaign, learner, learner_browser, runner, django_capture_on_commit_callbacks
):
    campaign.prizes = [25]
    campaign.save()
    RegistrationFactory(campaign=campaign, user=learner)
    item = campaign.exercises.get(position=0)
    services.campaign_submit(
        campaign=campaign,
        user=learner,
        campaign_exercise=item,
        language="python",
        code=solution(runner, item),
    )
    end(campaign)
    with django_capture_on_commit_callbacks(execute=True):
        page = text(learner_browser.get(f"/campaigns/{campaign.id}/"))
        learner_browser.get(f"/campaigns/{campaign.id}/scoreboard")
    assert "Final rank: #1" in page
    assert "You won 25 points." in page
    assert CampaignResult.objects.filter(campaign=campaign).count() == 1
    assert len(mail.outbox) == 1


# --- creating and managing ----------------------------------------------------------------


def test_staff_create_a_campaign_on_the_page(staff_browser, campaign):
    exercise = campaign.exercises.first().exercise
    form = {
        "title": "Night owls",
        "description": "",
        "starts_at": "2030-01-01T20:00",
        "ends_at": "2030-01-01T22:00",
        "participation": "individual",
        "scoring": "ioi",
        "penalty_minutes": "20",
        "freeze_minutes": "15",
        "prizes": "50, 20",
        "team": "",
        "exercises-TOTAL_FORMS": "2",
        "exercises-INITIAL_FORMS": "0",
        "exercises-0-exercise": str(exercise.id),
        "exercises-0-points": "100",
        "exercises-1-exercise": "",
        "exercises-1-points": "100",
    }
    assert "Night owls" not in staff_browser.get("/campaigns/new/").content.decode()
    bad = staff_browser.post("/campaigns/new/", {**form, "ends_at": "2029-12-31T20:00"})
    assert bad.status_code == 400
    assert "The end must come after the start." in text(bad)
    assert 'value="Night owls"' in bad.content.decode()
    response = staff_browser.post("/campaigns/new/", form)
    created = Campaign.objects.get(title="Night owls")
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{created.id}/"
    assert (created.scoring, created.freeze_minutes, created.prizes) == ("ioi", 15, [50, 20])
    bad = staff_browser.post("/campaigns/new/", {**form, "title": "Bad prizes", "prizes": "ten"})
    assert "Write whole numbers separated by commas" in text(bad)


def test_a_learner_who_captains_no_team_cannot_create_campaigns(learner_browser):
    assert learner_browser.get("/campaigns/new/").status_code == 404


def test_staff_rejudge_from_the_manage_page_and_others_cannot(
    campaign, learner, learner_browser, staff_browser, runner
):
    RegistrationFactory(campaign=campaign, user=learner)
    item = campaign.exercises.get(position=0)
    services.campaign_submit(
        campaign=campaign,
        user=learner,
        campaign_exercise=item,
        language="python",
        code=solution(runner, item),
    )
    assert learner_browser.get(f"/campaigns/{campaign.id}/manage/").status_code == 404
    assert (
        learner_browser.post(f"/campaigns/{campaign.id}/manage/rejudge", {"exercise": item.id}).status_code
        == 404
    )
    validator = item.exercise.validators.first()
    validator.expected_stdout = ["changed"]
    validator.save()
    response = staff_browser.post(
        f"/campaigns/{campaign.id}/manage/rejudge", {"exercise": item.id}, follow=True
    )
    assert "Exercise A: 1 submissions judged again." in text(response)
    assert CampaignSubmission.objects.get().passed is False


def test_the_pages_speak_french(campaign, learner, learner_browser):
    learner.preferred_language = "fr"
    learner.save()
    page = text(learner_browser.get(f"/campaigns/{campaign.id}/"))
    assert "Inscription" in page
    assert "Campagnes" in page
    assert "Les égalités sont départagées" in page
    board = text(learner_browser.get(f"/campaigns/{campaign.id}/scoreboard"))
    assert "Classement" in board
    learner_browser.post(f"/campaigns/{campaign.id}/register")
    again = text(learner_browser.post(f"/campaigns/{campaign.id}/register", follow=True))
    assert "Vous êtes déjà inscrit·e à cette campagne." in again


def test_a_participant_page_of_another_campaign_is_not_found(campaign, learner, learner_browser):
    other = CampaignFactory()
    registration = RegistrationFactory(campaign=other, user=UserFactory())
    assert learner_browser.get(f"/campaigns/{campaign.id}/participants/{registration.id}/").status_code == 404
    assert learner_browser.get("/campaigns/999999/").status_code == 404


def test_an_ioi_board_shows_points_with_a_full_solve_and_a_partial_one(
    learner, other_learner, learner_browser, runner
):
    campaign = CampaignFactory(scoring="ioi")
    item = CampaignExerciseFactory(campaign=campaign, exercise=secret_exercise("Gamma", tests=4), points=100)
    RegistrationFactory(campaign=campaign, user=learner)
    RegistrationFactory(campaign=campaign, user=other_learner)
    services.campaign_submit(
        campaign=campaign,
        user=learner,
        campaign_exercise=item,
        language="python",
        code=solution(runner, item),
    )
    services.campaign_submit(
        campaign=campaign,
        user=other_learner,
        campaign_exercise=item,
        language="python",
        code=solution(runner, item, passing=3),
    )
    fragment = learner_browser.get(f"/campaigns/{campaign.id}/scoreboard/board")
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", fragment.content.decode(), re.S)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows[1:]]
    assert cells == ["1 ada (you) 100 100", "2 grace 75 75"]
    detail = learner_browser.get(
        f"/campaigns/{campaign.id}/participants/{campaign.registrations.get(user=other_learner).id}/"
    )
    assert "75 / 100" in text(detail)


def test_a_captain_creates_a_campaign_for_their_team_on_the_page(learner, learner_browser, campaign):
    team = TeamFactory(captain=learner, name="Owls")
    page = learner_browser.get("/campaigns/new/")
    assert page.status_code == 200
    assert "None: a public campaign" not in text(page)
    exercise = campaign.exercises.first().exercise
    exercise.module.is_published = True  # a captain picks among the exercises they can see
    exercise.module.save()
    form = {
        "title": "Owls only",
        "starts_at": "2030-01-01T20:00",
        "ends_at": "2030-01-01T22:00",
        "participation": "individual",
        "scoring": "icpc",
        "penalty_minutes": "20",
        "freeze_minutes": "0",
        "team": str(team.id),
        "exercises-TOTAL_FORMS": "1",
        "exercises-INITIAL_FORMS": "0",
        "exercises-0-exercise": str(exercise.id),
        "exercises-0-points": "10",
    }
    assert learner_browser.post("/campaigns/new/", {**form, "team": ""}).status_code == 400
    response = learner_browser.post("/campaigns/new/", form)
    created = Campaign.objects.get(title="Owls only")
    assert response["Location"] == f"/campaigns/{created.id}/"
    assert created.team == team
    assert learner_browser.get(f"/campaigns/{created.id}/manage/").status_code == 200
