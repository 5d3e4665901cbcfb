"""Reads of the interviews app. A team's data is found only through a member of that team.

Every lookup for a recruiter takes the user and filters by their recruiting
teams, so another team's recruiter or a learner gets ``NotFound`` (a 404),
never a hint that the thing exists.
"""

import hmac

from django.db.models import QuerySet
from django.utils import timezone

from common.errors import NotFound
from monolith.accounts.models import Team, TeamKind
from monolith.accounts.tokens import TOKEN_MAX_LENGTH, token_hash
from monolith.interviews.models import (
    Answer,
    Assessment,
    AssessmentVersion,
    Attempt,
    Invitation,
    TeamExercise,
)
from monolith.learning.models import Content


def recruiting_teams(*, user) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(kind=TeamKind.RECRUITING, memberships__user=user).order_by("name", "id")


def is_recruiter(*, user) -> bool:
    return recruiting_teams(user=user).exists()


def assessment_list(*, user) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(team__in=recruiting_teams(user=user))
        .select_related("team")
        .prefetch_related("versions")
    )


def assessment_get(*, user, pk: int) -> Assessment:
    assessment = assessment_list(user=user).filter(pk=pk).first()
    if assessment is None:
        raise NotFound("No such assessment.")
    return assessment


def latest_version(*, assessment: Assessment) -> AssessmentVersion:
    return assessment.versions.order_by("-number").first()


def team_exercise_list(*, user) -> QuerySet[TeamExercise]:
    return TeamExercise.objects.filter(team__in=recruiting_teams(user=user)).select_related("team")


def team_exercise_get(*, user, pk: int) -> TeamExercise:
    exercise = team_exercise_list(user=user).filter(pk=pk).first()
    if exercise is None:
        raise NotFound("No such exercise.")
    return exercise


def catalogue_exercises() -> QuerySet[Content]:
    """Exercises of published modules that have tests: what any team may put in an assessment."""
    return (
        Content.objects.filter(
            kind=Content.Kind.EXERCISE, module__is_published=True, validators__isnull=False
        )
        .distinct()
        .select_related("module")
        .order_by("module__title", "position", "id")
    )


def invitation_list(*, assessment: Assessment) -> QuerySet[Invitation]:
    return assessment.invitations.select_related("attempt__version")


def open_attempts(*, assessment: Assessment) -> QuerySet[Attempt]:
    return Attempt.objects.filter(invitation__assessment=assessment, finished_at__isnull=True).select_related(
        "version"
    )


def invitation_get(*, assessment: Assessment, pk: int) -> Invitation:
    invitation = invitation_list(assessment=assessment).filter(pk=pk).first()
    if invitation is None:
        raise NotFound("No such candidate.")
    return invitation


def invitation_by_token(*, token: str) -> Invitation | None:
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return Invitation.objects.select_related("assessment__team").filter(token_hash=token_hash(token)).first()


def invitation_state(invitation: Invitation) -> str:
    """``invited``, ``started``, ``submitted``, ``revoked`` or ``expired`` (not started in time)."""
    if invitation.status == Invitation.Status.INVITED and invitation.expires_at <= timezone.now():
        return "expired"
    return invitation.status


def attempt_for_candidate(*, public_id, key: str | None) -> Attempt:
    """The attempt whose key the candidate's browser holds; anything else is ``NotFound``."""
    attempt = (
        Attempt.objects.select_related("version", "invitation__assessment__team")
        .filter(public_id=public_id)
        .first()
    )
    if attempt is None or not key or len(key) > TOKEN_MAX_LENGTH:
        raise NotFound("No such attempt.")
    if not hmac.compare_digest(attempt.key_hash, token_hash(key)):
        raise NotFound("No such attempt.")
    if attempt.invitation.status == Invitation.Status.REVOKED or attempt.invitation.erased_at:
        raise NotFound("No such attempt.")
    return attempt


def answers_by_index(*, attempt: Attempt) -> dict[int, Answer]:
    return {a.exercise_index: a for a in attempt.answers.all()}


def final_answers(*, assessment: Assessment, source: str) -> dict[int, Answer]:
    """The final code of every finished attempt at the exercise ``source``, by invitation id.

    Matched by the exercise's source, not its position, so candidates on
    different versions of the assessment are compared on the same exercise.
    """
    found = {}
    answers = Answer.objects.filter(
        attempt__version__assessment=assessment, attempt__finished_at__isnull=False
    ).select_related("attempt__version", "attempt__invitation")
    for answer in answers:
        exercises = answer.attempt.version.exercises
        index = answer.exercise_index
        if (
            index < len(exercises)
            and exercises[index]["source"] == source
            and not answer.attempt.invitation.erased_at
        ):
            found[answer.attempt.invitation_id] = answer
    return found
