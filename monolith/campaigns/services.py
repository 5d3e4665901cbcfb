"""Writes of the campaigns app: creating, registering, submitting, rejudging, publishing results.

Code runs outside any transaction (through the learning app's
``exercise_judge``: the same checks, runner and grading as a learner's
submission); only recording its outcome is transactional. Registrations
lock the campaign's row, so two members registering one team, or two teams
sharing a member, are serialised and the second gets a clear error.
"""

import logging
from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Conflict, Forbidden, ServiceError
from monolith.accounts.models import LedgerEntry, Team, TeamMembership
from monolith.accounts.services.wallet import wallet_credit
from monolith.accounts.tokens import site_url
from monolith.campaigns import selectors
from monolith.campaigns.models import (
    Campaign,
    CampaignExercise,
    CampaignResult,
    CampaignSubmission,
    Participation,
    Registration,
    Scoring,
)
from monolith.learning.models import Content
from monolith.learning.services import exercise_judge
from monolith.notifications.kinds import MailKind
from monolith.notifications.services import mail_request

logger = logging.getLogger(__name__)

MAX_EXERCISES = 26
MAX_PRIZES = 100


def campaign_reward_reference(*, campaign_id: int, user_id: int) -> str:
    return f"campaign:{campaign_id}:user:{user_id}"


# --- creating -------------------------------------------------------------------


def _check_schedule(
    *,
    starts_at: datetime,
    ends_at: datetime,
    registration_opens_at: datetime | None,
    registration_closes_at: datetime | None,
) -> None:
    if ends_at <= starts_at:
        raise ServiceError(_("The end must come after the start."), field="ends_at")
    if registration_closes_at is not None and registration_closes_at > ends_at:
        raise ServiceError(_("Registration must close by the end."), field="registration_closes_at")
    if (
        registration_opens_at is not None
        and registration_closes_at is not None
        and registration_opens_at >= registration_closes_at
    ):
        raise ServiceError(_("Registration must open before it closes."), field="registration_closes_at")


def _check_exercises(exercises: Sequence[tuple[Content, int]]) -> None:
    if not exercises:
        raise ServiceError(_("Choose at least one exercise."), field="exercises")
    if len(exercises) > MAX_EXERCISES:
        raise ServiceError(
            _("A campaign has at most %(n)s exercises.") % {"n": MAX_EXERCISES}, field="exercises"
        )
    seen = set()
    for exercise, points in exercises:
        names = {"title": exercise.title}
        if not exercise.is_exercise:
            raise ServiceError(_("“%(title)s” is a lesson, not an exercise.") % names, field="exercises")
        if not exercise.validators.exists():
            raise ServiceError(_("“%(title)s” has no tests yet.") % names, field="exercises")
        if exercise.pk in seen:
            raise ServiceError(_("“%(title)s” is chosen twice.") % names, field="exercises")
        if not isinstance(points, int) or points <= 0:
            raise ServiceError(_("Every exercise is worth at least 1 point."), field="exercises")
        seen.add(exercise.pk)


@transaction.atomic
def campaign_create(
    *,
    created_by,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    exercises: Sequence[tuple[Content, int]],
    description: str = "",
    participation: str = Participation.INDIVIDUAL,
    scoring: str = Scoring.ICPC,
    penalty_minutes: int = 20,
    freeze_minutes: int = 0,
    prizes: Sequence[int] = (),
    registration_opens_at: datetime | None = None,
    registration_closes_at: datetime | None = None,
    team: Team | None = None,
) -> Campaign:
    """Create a campaign: by staff, or by a team's captain for a team-internal one.

    Raises ``Forbidden`` for anyone else and ``ServiceError`` naming the field
    for an inconsistent schedule, freeze, prizes or exercise list.
    """
    if team is None and not created_by.is_staff:
        raise Forbidden(_("Only staff create public campaigns; a captain creates one for their team."))
    if team is not None and team.captain_id != created_by.id and not created_by.is_staff:
        raise Forbidden(_("Only the team's captain creates campaigns for the team."), field="team")
    if team is not None and participation != Participation.INDIVIDUAL:
        raise ServiceError(_("A team-internal campaign is taken individually."), field="participation")
    if not title.strip():
        raise ServiceError(_("Give the campaign a title."), field="title")
    _check_schedule(
        starts_at=starts_at,
        ends_at=ends_at,
        registration_opens_at=registration_opens_at,
        registration_closes_at=registration_closes_at,
    )
    if freeze_minutes * 60 >= (ends_at - starts_at).total_seconds():
        raise ServiceError(_("The freeze must be shorter than the campaign."), field="freeze_minutes")
    if len(prizes) > MAX_PRIZES or any(not isinstance(p, int) or p <= 0 for p in prizes):
        raise ServiceError(_("Prizes are positive whole numbers of points."), field="prizes")
    _check_exercises(exercises)
    campaign = Campaign.objects.create(
        title=title.strip(),
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        registration_opens_at=registration_opens_at,
        registration_closes_at=registration_closes_at,
        participation=participation,
        scoring=scoring,
        penalty_minutes=penalty_minutes,
        freeze_minutes=freeze_minutes,
        prizes=list(prizes),
        team=team,
        created_by=created_by,
    )
    CampaignExercise.objects.bulk_create(
        CampaignExercise(campaign=campaign, exercise=exercise, points=points, position=position)
        for position, (exercise, points) in enumerate(exercises)
    )
    return campaign


# --- registering ----------------------------------------------------------------


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update(of=("self",)).select_related("team").get(pk=campaign.pk)


def registration_create(*, campaign: Campaign, user, team: Team | None = None) -> Registration:
    """Register ``user`` (individual campaign) or ``team`` (team campaign, by any of its members).

    Refused with ``Conflict`` (nothing written) when registration is not open,
    when the user or team is already registered, or when a member of the team
    already takes part with another team; ``ServiceError`` on ``team`` when a
    team campaign gets no team, or a team the user is not a member of.
    """
    try:
        with transaction.atomic():
            return _registration_create(campaign=campaign, user=user, team=team)
    except IntegrityError as exc:
        # A race the lock did not cover (it always does today): the same clear answer.
        raise Conflict(_("Already registered for this campaign."), field="team" if team else None) from exc


def _registration_create(*, campaign: Campaign, user, team: Team | None) -> Registration:
    campaign = _locked(campaign)
    now = timezone.now()
    if not selectors.registration_open(campaign=campaign, now=now):
        if campaign.registration_opens_at and now < campaign.registration_opens_at:
            raise Conflict(_("Registration has not opened yet."))
        raise Conflict(_("Registration is closed."))
    if (
        campaign.team_id is not None
        and not TeamMembership.objects.filter(team_id=campaign.team_id, user=user).exists()
    ):
        raise Forbidden(_("This campaign is for the members of its team only."))
    registrations = Registration.objects.filter(campaign=campaign)
    if not campaign.is_team_based:
        if team is not None:
            raise ServiceError(_("This campaign is taken individually: register yourself."), field="team")
        if registrations.filter(user=user).exists():
            raise Conflict(_("You are already registered for this campaign."))
        return Registration.objects.create(campaign=campaign, user=user, registered_by=user)
    if team is None:
        raise ServiceError(_("Choose the team you take part with."), field="team")
    if not TeamMembership.objects.filter(team=team, user=user).exists():
        raise ServiceError(_("You can only register a team you are a member of."), field="team")
    existing = registrations.filter(team=team).select_related("registered_by").first()
    if existing is not None:
        by = existing.registered_by.username if existing.registered_by else "?"
        raise Conflict(
            _("%(team)s is already registered (by %(user)s).") % {"team": team.name, "user": by}, field="team"
        )
    member_ids = TeamMembership.objects.filter(team=team).values("user_id")
    clash = (
        TeamMembership.objects.filter(team__in=registrations.values("team"), user_id__in=member_ids)
        .select_related("user", "team")
        .first()
    )
    if clash is not None:
        raise Conflict(
            _("%(user)s already takes part with %(team)s; a person competes in one team only.")
            % {"user": clash.user.username, "team": clash.team.name},
            field="team",
        )
    return Registration.objects.create(campaign=campaign, team=team, registered_by=user)


# --- submitting -----------------------------------------------------------------


def _tests_passed(results: list[dict]) -> int:
    return sum(1 for r in results if r.get("passed"))


def campaign_submit(
    *, campaign: Campaign, user, campaign_exercise: CampaignExercise, language: str, code: str
) -> CampaignSubmission:
    """Judge and record a participant's submission.

    Its time is when it arrived: refused (``Conflict``, nothing judged or
    written) before the start, at or after the end, or from someone not
    registered. The language and size checks, runner and grading are the
    learning app's (``ServiceError`` 400, ``Unavailable`` 503).
    """
    received_at = timezone.now()
    state = selectors.campaign_state(campaign=campaign, now=received_at)
    if state == selectors.UPCOMING:
        raise Conflict(_("The campaign has not started yet."))
    if state == selectors.ENDED:
        raise Conflict(_("The campaign has ended: submissions are closed."))
    if campaign_exercise.campaign_id != campaign.id:
        raise ServiceError(_("This exercise is not part of the campaign."), field="exercise")
    registration = selectors.registration_for(user=user, campaign=campaign)
    if registration is None:
        raise Conflict(_("Register for the campaign to submit."))
    report = exercise_judge(exercise=campaign_exercise.exercise, language=language, code=code)
    results = [r.as_dict() for r in report.results]
    submission = CampaignSubmission.objects.create(
        campaign=campaign,
        registration=registration,
        campaign_exercise=campaign_exercise,
        user=user,
        language=language,
        code=code,
        passed=report.passed,
        tests_passed=_tests_passed(results),
        tests_total=len(results),
        results=results,
        compile_output=report.compile_output,
        created_at=received_at,
        judged_at=timezone.now(),
    )
    logger.info(
        "campaign.submission campaign=%s registration=%s exercise=%s passed=%s",
        campaign.id,
        registration.id,
        campaign_exercise.id,
        report.passed,
    )
    return submission


def campaign_exercise_rejudge(*, campaign_exercise: CampaignExercise) -> int:
    """Judge every stored submission of the exercise again with its current tests.

    Every submission is judged first, outside any transaction; the new outcomes
    are then written together, so a runner failure half-way (``Unavailable``)
    changes nothing. Each submission keeps the time it arrived; the board
    recomputes from the new outcomes, and published results are published
    again (points already paid are not paid twice). Returns how many
    submissions were judged.
    """
    exercise = campaign_exercise.exercise
    submissions = list(CampaignSubmission.objects.filter(campaign_exercise=campaign_exercise).order_by("id"))
    reports = [
        exercise_judge(exercise=exercise, language=submission.language, code=submission.code)
        for submission in submissions
    ]
    with transaction.atomic():
        for submission, report in zip(submissions, reports, strict=True):
            results = [r.as_dict() for r in report.results]
            CampaignSubmission.objects.filter(pk=submission.pk).update(
                passed=report.passed,
                tests_passed=_tests_passed(results),
                tests_total=len(results),
                results=results,
                compile_output=report.compile_output,
                judged_at=timezone.now(),
            )
        campaign = Campaign.objects.get(pk=campaign_exercise.campaign_id)  # fresh: results may be newer
        if campaign.results_published_at is not None:
            campaign_results_publish(campaign=campaign)
    logger.info("campaign.rejudge exercise=%s submissions=%s", campaign_exercise.id, len(submissions))
    return len(submissions)


# --- results ----------------------------------------------------------------------


def _members(registration: Registration) -> list:
    if registration.user_id:
        return [registration.user]
    return [m.user for m in registration.team.memberships.select_related("user").order_by("user_id")]


@transaction.atomic
def campaign_results_publish(*, campaign: Campaign) -> list[CampaignResult]:
    """Write the final ranks, pay the prizes, and (the first time) mail every participant.

    Safe to run again (after a rejudge, or twice at once): the campaign's row
    is locked, ranks are rewritten from the board, and each prize is credited
    with the reference ``campaign:<id>:user:<id>``, which the ledger moves
    once. A participant who scored nothing wins no prize. Refused
    (``Conflict``) before the end.
    """
    campaign = _locked(campaign)
    if timezone.now() < campaign.ends_at:
        raise Conflict(_("Results are published once the campaign has ended."))
    rows, _names = selectors.board_compute(campaign=campaign)
    registrations = {
        r.id: r for r in Registration.objects.filter(campaign=campaign).select_related("user", "team")
    }
    CampaignResult.objects.filter(campaign=campaign).delete()
    results = []
    for row in rows:
        registration = registrations[row.participant]
        scored = row.solved if campaign.scoring == Scoring.ICPC else row.points
        prize = campaign.prizes[row.rank - 1] if row.rank <= len(campaign.prizes) and scored else 0
        for member in _members(registration) if prize else []:
            _prize_pay(campaign=campaign, member=member, prize=prize, rank=row.rank)
        results.append(
            CampaignResult(
                campaign=campaign,
                registration=registration,
                rank=row.rank,
                score=selectors.score_text(campaign, row),
                penalty=row.penalty(campaign.penalty_minutes) if campaign.scoring == Scoring.ICPC else 0,
                points_awarded=prize,
            )
        )
    CampaignResult.objects.bulk_create(results)
    if campaign.results_published_at is None:
        campaign.results_published_at = timezone.now()
        campaign.save(update_fields=["results_published_at"])
        _mail_results(campaign=campaign, results=results)
    logger.info("campaign.results campaign=%s participants=%s", campaign.id, len(results))
    return results


def _prize_pay(*, campaign: Campaign, member, prize: int, rank: int) -> None:
    """Bring what ``member`` was paid for this campaign up to ``prize``; never down.

    The first payment has the reference ``campaign:<id>:user:<id>``; after a rejudge that moves
    them up, the difference is paid under ``…:to:<prize>`` (once per amount: the ledger moves a
    reference once). A prize already paid is never taken back (the points may be spent).
    """
    base = campaign_reward_reference(campaign_id=campaign.id, user_id=member.id)
    paid = (
        LedgerEntry.objects.filter(Q(reference=base) | Q(reference__startswith=f"{base}:to:")).aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )
    if prize <= paid:
        return
    wallet_credit(
        user=member,
        amount=prize - paid,
        reference=base if paid == 0 else f"{base}:to:{prize}",
        reason=f"Campaign: {campaign.title}, rank {rank}"[:200],
    )


def _mail_results(*, campaign: Campaign, results: list[CampaignResult]) -> None:
    url = site_url(f"campaigns/{campaign.id}/scoreboard")
    for result in results:
        for member in _members(result.registration):
            if not member.email:
                continue
            mail_request(
                kind=MailKind.CAMPAIGN_RESULTS,
                to=member.email,
                language=member.preferred_language,
                context={
                    "username": member.username,
                    "campaign_title": campaign.title[:200],
                    "rank": result.rank,
                    "participants": len(results),
                    "points_awarded": result.points_awarded,
                    "scoreboard_url": url,
                },
            )


def campaign_results_publish_due(*, campaign: Campaign) -> bool:
    """Publish the results of an ended campaign that has none yet; whether it did."""
    if campaign.results_published_at is not None or timezone.now() < campaign.ends_at:
        return False
    campaign_results_publish(campaign=campaign)
    return True


def campaigns_publish_due() -> int:
    """Publish the results of every ended campaign that has none yet; how many it published."""
    due = Campaign.objects.filter(results_published_at__isnull=True, ends_at__lte=timezone.now())
    return sum(1 for campaign in due if campaign_results_publish_due(campaign=campaign))
