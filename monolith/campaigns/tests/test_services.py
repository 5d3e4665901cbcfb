"""Registering, submitting, results and rejudging, on the real database."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from common.errors import Conflict, Forbidden, ServiceError, Unavailable
from common.messaging.models import OutboxMessage
from monolith import flags
from monolith.accounts.models import LedgerEntry
from monolith.accounts.services.wallet import wallet_balance
from monolith.accounts.tests.factories import StaffFactory, TeamFactory, UserFactory
from monolith.campaigns import services
from monolith.campaigns.models import CampaignResult, CampaignSubmission, Registration
from monolith.campaigns.tests.conftest import secret_exercise, solution
from monolith.campaigns.tests.factories import CampaignExerciseFactory, CampaignFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def end(campaign):
    """Move the campaign into the past: started two hours ago, ended a minute ago."""
    campaign.starts_at = timezone.now() - timedelta(hours=2)
    campaign.ends_at = timezone.now() - timedelta(minutes=1)
    campaign.save()


# --- creating ---------------------------------------------------------------------


def test_staff_create_a_campaign_with_exercises_shown_as_letters(staff):
    now = timezone.now()
    exercises = [(secret_exercise("One"), 100), (secret_exercise("Two"), 300)]
    campaign = services.campaign_create(
        created_by=staff, title="Sprint", starts_at=now, ends_at=now + timedelta(hours=2), exercises=exercises
    )
    assert [(e.label, e.points) for e in campaign.exercises.order_by("position")] == [("A", 100), ("B", 300)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": -1}, "ends_at"),
        ({"freeze_minutes": 120}, "freeze_minutes"),
        ({"registration_closes_at": 3}, "registration_closes_at"),
        ({"prizes": [10, 0]}, "prizes"),
        ({"exercises": []}, "exercises"),
    ],
)
def test_an_inconsistent_campaign_is_refused_naming_the_field_and_nothing_is_written(staff, changes, field):
    now = timezone.now()
    data = {
        "created_by": staff,
        "title": "Sprint",
        "starts_at": now,
        "ends_at": now + timedelta(hours=2),
        "exercises": [(secret_exercise("One"), 100)],
    }
    for key, value in changes.items():
        data[key] = now + timedelta(hours=value) if key.endswith("_at") else value
    with pytest.raises(ServiceError) as error:
        services.campaign_create(**data)
    assert error.value.field == field
    from monolith.campaigns.models import Campaign

    assert not Campaign.objects.exists()


def test_a_captain_creates_a_team_internal_campaign_and_a_learner_no_public_one(learner):
    team = TeamFactory(captain=learner)
    now = timezone.now()
    data = {"title": "Friday", "starts_at": now, "ends_at": now + timedelta(hours=1)}
    campaign = services.campaign_create(
        created_by=learner, team=team, exercises=[(secret_exercise("One"), 10)], **data
    )
    assert campaign.team == team
    with pytest.raises(Forbidden):
        services.campaign_create(created_by=learner, exercises=[(secret_exercise("Two"), 10)], **data)
    other = TeamFactory()
    with pytest.raises(Forbidden):
        services.campaign_create(
            created_by=learner, team=other, exercises=[(secret_exercise("Three"), 10)], **data
        )


# --- registering ------------------------------------------------------------------


def test_registering_twice_is_refused_with_a_clear_error(campaign, learner):
    services.registration_create(campaign=campaign, user=learner)
    with pytest.raises(Conflict, match="already registered"):
        services.registration_create(campaign=campaign, user=learner)
    assert Registration.objects.filter(campaign=campaign).count() == 1


def test_registration_outside_its_window_is_refused(campaign, learner):
    campaign.registration_opens_at = timezone.now() + timedelta(minutes=5)
    campaign.save()
    with pytest.raises(Conflict, match="not opened yet"):
        services.registration_create(campaign=campaign, user=learner)
    campaign.registration_opens_at = timezone.now() - timedelta(hours=3)
    campaign.registration_closes_at = timezone.now() - timedelta(minutes=1)
    campaign.save()
    with pytest.raises(Conflict, match="closed"):
        services.registration_create(campaign=campaign, user=learner)
    assert not Registration.objects.exists()


def test_a_team_is_registered_once_even_when_two_members_try(learner, other_learner):
    campaign = CampaignFactory(participation="team")
    team = TeamFactory(captain=learner)
    team.memberships.create(user=other_learner)
    first = services.registration_create(campaign=campaign, user=learner, team=team)
    with pytest.raises(Conflict, match=f"{team.name} is already registered \\(by ada\\)") as error:
        services.registration_create(campaign=campaign, user=other_learner, team=team)
    assert error.value.field == "team"
    assert list(Registration.objects.filter(campaign=campaign)) == [first]


def test_a_person_competes_in_one_team_only(learner, other_learner):
    campaign = CampaignFactory(participation="team")
    first = TeamFactory(captain=learner)
    first.memberships.create(user=other_learner)
    second = TeamFactory(captain=other_learner)
    services.registration_create(campaign=campaign, user=learner, team=first)
    with pytest.raises(Conflict, match="grace already takes part with"):
        services.registration_create(campaign=campaign, user=other_learner, team=second)
    assert Registration.objects.filter(campaign=campaign).count() == 1


def test_a_team_campaign_needs_a_team_the_user_belongs_to(learner):
    campaign = CampaignFactory(participation="team")
    with pytest.raises(ServiceError) as error:
        services.registration_create(campaign=campaign, user=learner)
    assert error.value.field == "team"
    with pytest.raises(ServiceError, match="member of"):
        services.registration_create(campaign=campaign, user=learner, team=TeamFactory())
    assert not Registration.objects.exists()


def test_only_the_team_registers_for_its_internal_campaign(learner, other_learner):
    team = TeamFactory(captain=learner)
    campaign = CampaignFactory(team=team)
    services.registration_create(campaign=campaign, user=learner)
    with pytest.raises(Forbidden):
        services.registration_create(campaign=campaign, user=other_learner)


# --- submitting -------------------------------------------------------------------


def test_a_submission_is_judged_by_every_test_hidden_ones_included(campaign, learner, runner):
    RegistrationFactory(campaign=campaign, user=learner)
    item = campaign.exercises.get(position=0)
    submission = services.campaign_submit(
        campaign=campaign,
        user=learner,
        campaign_exercise=item,
        language="python",
        code=solution(runner, item),
    )
    assert (submission.passed, submission.tests_passed, submission.tests_total) == (True, 3, 3)
    assert [r["hidden"] for r in submission.results] == [False, False, True]


def test_submissions_before_the_start_after_the_end_or_unregistered_are_refused_and_not_judged(
    campaign, learner, other_learner, runner
):
    RegistrationFactory(campaign=campaign, user=learner)
    item = campaign.exercises.get(position=0)
    with pytest.raises(Conflict, match="Register"):
        services.campaign_submit(
            campaign=campaign, user=other_learner, campaign_exercise=item, language="python", code="x"
        )
    end(campaign)
    with pytest.raises(Conflict, match="ended"):
        services.campaign_submit(
            campaign=campaign, user=learner, campaign_exercise=item, language="python", code="x"
        )
    campaign.starts_at = timezone.now() + timedelta(minutes=1)
    campaign.ends_at = timezone.now() + timedelta(hours=1)
    campaign.save()
    with pytest.raises(Conflict, match="not started"):
        services.campaign_submit(
            campaign=campaign, user=learner, campaign_exercise=item, language="python", code="x"
        )
    assert runner.calls == []
    assert not CampaignSubmission.objects.exists()


def test_a_language_the_exercise_does_not_offer_is_an_error_on_the_language(campaign, learner, runner):
    RegistrationFactory(campaign=campaign, user=learner)
    item = campaign.exercises.get(position=0)
    with pytest.raises(ServiceError) as error:
        services.campaign_submit(
            campaign=campaign, user=learner, campaign_exercise=item, language="rust", code="x"
        )
    assert error.value.field == "language"


# --- results ----------------------------------------------------------------------


@pytest.fixture
def finished(campaign, runner, learner, other_learner):
    """Ada solves A, Grace solves nothing, Lin solves A and B: Lin first, Ada second, Grace third."""
    campaign.prizes = [100, 40, 10]
    campaign.save()
    lin = UserFactory(username="lin", preferred_language="fr")
    other_learner.preferred_language = "fr"
    other_learner.save()
    a, b = campaign.exercises.order_by("position")
    for user in (learner, other_learner, lin):
        RegistrationFactory(campaign=campaign, user=user)
    for user, item in ((learner, a), (lin, a), (lin, b)):
        services.campaign_submit(
            campaign=campaign,
            user=user,
            campaign_exercise=item,
            language="python",
            code=solution(runner, item),
        )
    services.campaign_submit(
        campaign=campaign, user=other_learner, campaign_exercise=a, language="python", code="wrong"
    )
    end(campaign)
    return campaign, lin


def test_results_pay_the_prizes_once_even_when_computed_twice(
    finished, learner, other_learner, django_capture_on_commit_callbacks
):
    campaign, lin = finished
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_results_publish(campaign=campaign)
        services.campaign_results_publish(campaign=campaign)
    assert [
        (r.registration.user.username, r.rank, r.points_awarded)
        for r in CampaignResult.objects.order_by("rank")
    ] == [
        ("lin", 1, 100),
        ("ada", 2, 40),
        ("grace", 3, 0),  # scored nothing: no prize
    ]
    assert wallet_balance(user=lin) == 100
    assert wallet_balance(user=learner) == 40
    assert LedgerEntry.objects.filter(reference=f"campaign:{campaign.id}:user:{lin.id}").count() == 1
    assert LedgerEntry.objects.filter(reference__startswith=f"campaign:{campaign.id}:").count() == 2
    # One mail per participant, the first time only, in their language.
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert len(mail.outbox) == 3
    assert subjects["ada@example.com"].startswith("Results of")
    assert subjects["grace@example.com"].startswith("Résultats de")
    assert "rang 1 sur 3" in subjects["lin@example.com"]


def test_results_mail_goes_through_the_mailer_queue_when_the_switch_is_on(
    finished, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_FAST_PATH = False
    campaign, _lin = finished
    with django_capture_on_commit_callbacks(execute=True):
        call_command("waffle_switch", flags.MAIL_VIA_QUEUE, "on", create=True)
    services.campaign_results_publish(campaign=campaign)
    payloads = [m.body["payload"] for m in OutboxMessage.objects.filter(type="mail.requested")]
    assert sorted((p["to"], p["language"], p["context"]["rank"]) for p in payloads) == [
        ("ada@example.com", "en", 2),
        ("grace@example.com", "fr", 3),
        ("lin@example.com", "fr", 1),
    ]
    assert mail.outbox == []


def test_results_are_not_published_before_the_end(campaign):
    with pytest.raises(Conflict):
        services.campaign_results_publish(campaign=campaign)
    assert not services.campaign_results_publish_due(campaign=campaign)


def test_a_team_prize_is_paid_to_every_member_once(runner, learner, other_learner):
    campaign = CampaignFactory(participation="team", prizes=[60])
    item = CampaignExerciseFactory(campaign=campaign, exercise=secret_exercise("Solo"))
    team = TeamFactory(captain=learner)
    team.memberships.create(user=other_learner)
    services.registration_create(campaign=campaign, user=other_learner, team=team)
    services.campaign_submit(
        campaign=campaign,
        user=other_learner,
        campaign_exercise=item,
        language="python",
        code=solution(runner, item),
    )
    end(campaign)
    services.campaign_results_publish(campaign=campaign)
    services.campaign_results_publish(campaign=campaign)
    assert (wallet_balance(user=learner), wallet_balance(user=other_learner)) == (60, 60)


# --- rejudge ----------------------------------------------------------------------


def test_rejudge_grades_stored_submissions_with_the_fixed_tests_and_the_results_follow(
    finished, runner, learner
):
    campaign, _lin = finished
    services.campaign_results_publish(campaign=campaign)
    a = campaign.exercises.get(position=0)
    # A test of A was wrong: fixing it makes every earlier solution of A fail that test.
    validator = a.exercise.validators.get(position=1)
    validator.expected_stdout = ["fixed"]
    validator.save()
    grace_code = CampaignSubmission.objects.get(user__username="grace").code
    runner.record(source=grace_code, stdin=validator.stdin_text, stdout="fixed")
    for v in a.exercise.validators.exclude(pk=validator.pk):
        runner.record(source=grace_code, stdin=v.stdin_text, stdout=v.expected_text)
    judged_before = {s.pk: s.created_at for s in CampaignSubmission.objects.all()}

    assert services.campaign_exercise_rejudge(campaign_exercise=a) == 3

    after = {s.user.username: s for s in CampaignSubmission.objects.filter(campaign_exercise=a)}
    assert (after["ada"].passed, after["ada"].tests_passed) == (False, 2)
    assert after["grace"].passed is True
    assert all(s.created_at == judged_before[s.pk] for s in CampaignSubmission.objects.all())
    ranks = [(r.registration.user.username, r.rank) for r in CampaignResult.objects.order_by("rank")]
    assert ranks == [("lin", 1), ("grace", 2), ("ada", 3)]
    # Ada was paid for rank 2 before the rejudge: never twice, never taken back.
    # Grace now holds rank 2 and gets its prize.
    assert wallet_balance(user=learner) == 40
    assert wallet_balance(user=after["grace"].user) == 40


def test_staff_only_means_staff_for_campaign_creation():
    staff = StaffFactory(username="boss")
    now = timezone.now()
    campaign = services.campaign_create(
        created_by=staff,
        title="Open",
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        exercises=[(secret_exercise("X"), 1)],
    )
    assert campaign.team is None


def test_a_rejudge_interrupted_by_an_unavailable_runner_changes_nothing(finished, runner):
    campaign, _lin = finished
    a = campaign.exercises.get(position=0)
    before = {s.pk: (s.passed, s.judged_at) for s in CampaignSubmission.objects.all()}
    judge = runner.judge
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Unavailable("The code runner is busy; try again in a moment.")
        return judge(**kwargs)

    runner.judge = flaky
    validator = a.exercise.validators.get(position=0)
    validator.expected_stdout = ["changed"]
    validator.save()
    with pytest.raises(Unavailable):
        services.campaign_exercise_rejudge(campaign_exercise=a)
    assert {s.pk: (s.passed, s.judged_at) for s in CampaignSubmission.objects.all()} == before


def test_a_participant_moved_up_by_a_rejudge_is_paid_the_difference_once_and_nobody_loses_a_prize(
    finished, learner
):
    campaign, lin = finished
    services.campaign_results_publish(campaign=campaign)
    assert (wallet_balance(user=lin), wallet_balance(user=learner)) == (100, 40)
    # A rejudge finds Lin's solutions wrong: Ada (rank 2, paid 40) is now first.
    CampaignSubmission.objects.filter(user=lin).update(passed=False)

    services.campaign_results_publish(campaign=campaign)
    services.campaign_results_publish(campaign=campaign)

    ranks = [
        (r.registration.user.username, r.rank, r.points_awarded)
        for r in CampaignResult.objects.order_by("rank")
    ]
    assert ranks[0] == ("ada", 1, 100)
    assert wallet_balance(user=learner) == 100  # 40, then the 60 of the difference, once
    assert wallet_balance(user=lin) == 100  # paid before the rejudge: not taken back
    assert sorted(
        LedgerEntry.objects.filter(
            reference__startswith=f"campaign:{campaign.id}:user:{learner.id}"
        ).values_list("reference", "amount")
    ) == [
        (f"campaign:{campaign.id}:user:{learner.id}", 40),
        (f"campaign:{campaign.id}:user:{learner.id}:to:100", 60),
    ]
