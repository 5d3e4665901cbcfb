"""Reads of the campaigns app: which campaigns a user sees, what they may see of one, the board.

Nothing of a campaign's exercises (titles, statements, tests) reaches anyone
but its managers before ``starts_at``: every page goes through
``exercises_visible`` or ``campaign_exercise_get``, which check the clock.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from django.db.models import Q, QuerySet
from django.utils import timezone

from common.errors import NotFound
from monolith.accounts.models import Team
from monolith.campaigns import scoring
from monolith.campaigns.models import (
    Campaign,
    CampaignExercise,
    CampaignResult,
    CampaignSubmission,
    Registration,
)

UPCOMING, RUNNING, ENDED = "upcoming", "running", "ended"


def campaign_list(*, user) -> QuerySet[Campaign]:
    """Campaigns ``user`` sees: public ones, and team-internal ones of their teams (staff: all)."""
    queryset = Campaign.objects.select_related("team")
    if user.is_authenticated and user.is_staff:
        return queryset
    if not user.is_authenticated:
        return queryset.filter(team__isnull=True)
    return queryset.filter(Q(team__isnull=True) | Q(team__in=Team.objects.filter(memberships__user=user)))


def campaign_get(*, user, campaign_id: int) -> Campaign:
    campaign = campaign_list(user=user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("Campaign not found.")
    return campaign


def campaign_state(*, campaign: Campaign, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if now < campaign.starts_at:
        return UPCOMING
    return RUNNING if now < campaign.ends_at else ENDED


def can_manage(*, user, campaign: Campaign) -> bool:
    """Staff manage every campaign; a captain manages their team's internal campaigns."""
    if not user.is_authenticated:
        return False
    return user.is_staff or (campaign.team_id is not None and campaign.team.captain_id == user.id)


def registration_open(*, campaign: Campaign, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    opens = campaign.registration_opens_at
    closes = campaign.registration_closes_at or campaign.ends_at
    return (opens is None or now >= opens) and now < closes


def registration_for(*, user, campaign: Campaign) -> Registration | None:
    """``user``'s registration: their own, or their team's in a team campaign."""
    if not user.is_authenticated:
        return None
    queryset = Registration.objects.filter(campaign=campaign).select_related("team", "user")
    if campaign.is_team_based:
        return queryset.filter(team__memberships__user=user).order_by("id").first()
    return queryset.filter(user=user).first()


def teams_to_register(*, user, campaign: Campaign) -> QuerySet[Team]:
    """The teams ``user`` belongs to, for the registration form of a team campaign."""
    return Team.objects.filter(memberships__user=user).order_by("name", "id")


def exercises_visible(*, user, campaign: Campaign, now: datetime | None = None) -> list[CampaignExercise]:
    """The campaign's exercises, or none before the start (except for its managers)."""
    if campaign_state(campaign=campaign, now=now) == UPCOMING and not can_manage(
        user=user, campaign=campaign
    ):
        return []
    return list(campaign.exercises.select_related("exercise").order_by("position", "id"))


def campaign_exercise_get(*, user, campaign: Campaign, label: str) -> CampaignExercise:
    for item in exercises_visible(user=user, campaign=campaign):
        if item.label == label:
            return item
    raise NotFound("Exercise not found.")


def submissions_of(*, registration: Registration, campaign_exercise: CampaignExercise | None = None):
    queryset = CampaignSubmission.objects.filter(registration=registration).select_related(
        "campaign_exercise", "user"
    )
    if campaign_exercise is not None:
        queryset = queryset.filter(campaign_exercise=campaign_exercise)
    return queryset.order_by("-created_at", "-id")


# --- the scoreboard -----------------------------------------------------------


@dataclass(frozen=True)
class Column:
    id: int
    label: str
    title: str
    points: int


@dataclass(frozen=True)
class Board:
    campaign: Campaign
    rows: list[scoring.Row]
    names: dict[int, str]
    columns: list[Column]
    #: When the freeze began, if the viewer sees the frozen board.
    frozen_at: datetime | None
    state: str

    def score_of(self, row: scoring.Row) -> str:
        return score_text(self.campaign, row)


def score_text(campaign: Campaign, row: scoring.Row) -> str:
    if campaign.scoring == scoring.ICPC:
        return str(row.solved)
    return points_text(row.points)


def points_text(value: Fraction) -> str:
    """Points with at most two decimals (exact values are kept for ordering)."""
    rounded = round(float(value), 2)
    return f"{rounded:g}" if rounded == int(rounded) else f"{rounded:.2f}"


def freeze_start(campaign: Campaign) -> datetime | None:
    if not campaign.freeze_minutes:
        return None
    return campaign.ends_at - timedelta(minutes=campaign.freeze_minutes)


def frozen_for(*, user, campaign: Campaign, now: datetime | None = None) -> datetime | None:
    """When the board ``user`` sees is frozen from, or ``None`` for the live (or final) board."""
    now = now or timezone.now()
    start = freeze_start(campaign)
    if start is None or now < start or now >= campaign.ends_at or can_manage(user=user, campaign=campaign):
        return None
    return start


def rules_of(campaign: Campaign, exercises: list[CampaignExercise]) -> scoring.Rules:
    return scoring.Rules(
        scoring=campaign.scoring,
        starts_at=campaign.starts_at,
        penalty_minutes=campaign.penalty_minutes,
        points={item.id: item.points for item in exercises},
    )


def raw_attempts(*, campaign: Campaign) -> list[scoring.Attempt]:
    rows = CampaignSubmission.objects.filter(campaign=campaign).values_list(
        "id", "registration_id", "campaign_exercise_id", "created_at", "passed", "tests_passed", "tests_total"
    )
    return [scoring.Attempt(*row) for row in rows]


def board_compute(*, campaign: Campaign, frozen_at: datetime | None = None) -> tuple[list[scoring.Row], dict]:
    """The ranked rows and the participants' names, from the database's raw submissions."""
    exercises = list(campaign.exercises.order_by("position", "id"))
    registrations = list(
        Registration.objects.filter(campaign=campaign).select_related("user", "team").order_by("id")
    )
    rows = scoring.scoreboard(
        rules=rules_of(campaign, exercises),
        participants=[scoring.Participant(r.id, r.created_at) for r in registrations],
        attempts=raw_attempts(campaign=campaign),
        frozen_at=frozen_at,
    )
    return rows, {r.id: r.name for r in registrations}


def board_get(*, user, campaign: Campaign, now: datetime | None = None) -> Board:
    """The board ``user`` may see now: live for managers, frozen in the freeze, final at the end."""
    now = now or timezone.now()
    state = campaign_state(campaign=campaign, now=now)
    visible = exercises_visible(user=user, campaign=campaign, now=now)
    columns = [Column(item.id, item.label, item.exercise.title, item.points) for item in visible]
    frozen_at = frozen_for(user=user, campaign=campaign, now=now)
    rows, names = board_compute(campaign=campaign, frozen_at=frozen_at)
    return Board(campaign=campaign, rows=rows, names=names, columns=columns, frozen_at=frozen_at, state=state)


def result_list(*, campaign: Campaign) -> QuerySet[CampaignResult]:
    return CampaignResult.objects.filter(campaign=campaign).select_related(
        "registration__user", "registration__team"
    )
