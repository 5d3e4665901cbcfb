"""Coding campaigns: time-boxed contests on catalogue exercises with a live scoreboard.

A ``Campaign`` offers exercises (``CampaignExercise``, with points each)
between ``starts_at`` and ``ends_at``. People or teams register
(``Registration``: exactly one of user or team); their ``CampaignSubmission``
rows are judged with the learning app's runner and grading, and kept apart
from the learner's practice submissions. A team-internal campaign (``team``
set) is seen only by that team's members. ``CampaignResult`` holds the final
ranks once results are published; points go through the wallet's ledger.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from monolith.accounts.models import Team
from monolith.learning.models import Content, ProgrammingLanguage


class Participation(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    TEAM = "team", "Team"


class Scoring(models.TextChoices):
    ICPC = "icpc", "ICPC"
    IOI = "ioi", "IOI"


class Campaign(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    registration_opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: registration is open from creation."
    )
    registration_closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: registration stays open until the end."
    )
    participation = models.CharField(
        max_length=16, choices=Participation.choices, default=Participation.INDIVIDUAL
    )
    scoring = models.CharField(max_length=8, choices=Scoring.choices, default=Scoring.ICPC)
    penalty_minutes = models.PositiveIntegerField(
        default=20, help_text="ICPC: minutes added per wrong submission before an exercise is solved."
    )
    freeze_minutes = models.PositiveIntegerField(
        default=0, help_text="Participants see the board frozen for the last N minutes (0: no freeze)."
    )
    prizes = models.JSONField(
        default=list, blank=True, help_text="Points for ranks 1, 2, 3… e.g. [100, 50, 25]."
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="campaigns",
        help_text="A team-internal campaign: only this team's members see it and take part.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    results_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="cmp_campaign_ends_after_start",
                violation_error_message="The end must come after the start.",
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__lte=F("ends_at")),
                name="cmp_campaign_registration_closes_by_end",
                violation_error_message="Registration must close by the end.",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_opens_at__lt=F("registration_closes_at")),
                name="cmp_campaign_registration_window",
                violation_error_message="Registration must open before it closes.",
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(participation="individual"),
                name="cmp_campaign_team_internal_is_individual",
                violation_error_message="A team-internal campaign is taken individually.",
            ),
            models.CheckConstraint(
                condition=Q(scoring__in=["icpc", "ioi"]), name="cmp_campaign_scoring_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_team_based(self) -> bool:
        return self.participation == Participation.TEAM


class CampaignExercise(models.Model):
    """One exercise of a campaign, shown as a letter (A, B, …) by ``position``."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="exercises")
    exercise = models.ForeignKey(Content, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField(default=100)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["campaign_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "exercise"], name="cmp_exercise_once_per_campaign"),
            models.CheckConstraint(condition=Q(points__gt=0), name="cmp_exercise_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.label}"

    @property
    def label(self) -> str:
        return label_for(self.position)


def label_for(position: int) -> str:
    """A, B, … Z, then AA, AB, … (spreadsheet columns)."""
    label, n = "", position + 1
    while n:
        n, rest = divmod(n - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


class Registration(models.Model):
    """A participant of a campaign: a user (individual) or a team (team campaigns)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True) | Q(user__isnull=True, team__isnull=False),
                name="cmp_registration_user_or_team",
            ),
            models.UniqueConstraint(fields=["campaign", "user"], name="cmp_registration_user_once"),
            models.UniqueConstraint(fields=["campaign", "team"], name="cmp_registration_team_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} in {self.campaign}"

    @property
    def name(self) -> str:
        return self.team.name if self.team_id else self.user.username


class CampaignSubmission(models.Model):
    """Code submitted during a campaign and how each test judged it.

    ``created_at`` is when the server received it (before judging), the time
    the scoreboard uses. ``results`` has the learning submission's shape; a
    rejudge replaces it and sets ``judged_at``.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="submissions")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="submissions")
    campaign_exercise = models.ForeignKey(
        CampaignExercise, on_delete=models.CASCADE, related_name="submissions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=16, choices=ProgrammingLanguage.choices)
    code = models.TextField()
    passed = models.BooleanField()
    tests_passed = models.PositiveIntegerField()
    tests_total = models.PositiveIntegerField()
    results = models.JSONField(default=list)
    compile_output = models.TextField(blank=True)
    created_at = models.DateTimeField()
    judged_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["campaign", "created_at"], name="cmp_submission_campaign_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(tests_passed__lte=F("tests_total")), name="cmp_submission_passed_le_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.campaign_exercise} ({'passed' if self.passed else 'failed'})"


class CampaignResult(models.Model):
    """A participant's final rank, written when the results are published (and again on a rejudge)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="results")
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="result")
    rank = models.PositiveIntegerField()
    score = models.CharField(max_length=32, help_text="Solved count (ICPC) or points (IOI), as shown.")
    penalty = models.PositiveIntegerField(default=0)
    points_awarded = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["campaign_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "rank"], name="cmp_result_rank_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.registration}: #{self.rank}"
