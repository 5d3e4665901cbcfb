"""Certification exams, the attempts learners make at them, and the certificates they earn.

An ``Exam`` turns a certification module into a timed test: its exercises are
judged on every test, none of which the learner sees. An ``ExamAttempt`` runs
from ``started_at`` to ``deadline`` by the server's clock; the learner's code
for each exercise is kept in an ``ExamAnswer``. A passed attempt issues one
``Certificate`` (per learner and exam), which anyone can check by its random
``public_id``. ``PublicProfile`` is a learner's opt-in to a public page.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from monolith.learning.models import Content, Module, ProgrammingLanguage


def new_public_id() -> str:
    """128 random bits, URL-safe: a certificate's id cannot be guessed or enumerated."""
    return secrets.token_urlsafe(16)


class Exam(models.Model):
    """The rules of a certification module's exam."""

    module = models.OneToOneField(
        Module,
        on_delete=models.CASCADE,
        related_name="exam",
        limit_choices_to={"kind": Module.Kind.CERTIFICATION},
    )
    duration_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    pass_percent = models.PositiveSmallIntegerField(
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Share of the exam's points needed to pass.",
    )
    max_attempts = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1)])
    cooldown_minutes = models.PositiveIntegerField(
        default=24 * 60, help_text="Time to wait after an attempt ends before starting the next one."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_percent__gte=1, pass_percent__lte=100), name="crt_exam_pass_percent_range"
            ),
            models.CheckConstraint(condition=Q(duration_minutes__gte=1), name="crt_exam_duration_positive"),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="crt_exam_attempts_positive"),
        ]

    def __str__(self) -> str:
        return f"Exam: {self.module}"

    def clean(self) -> None:
        super().clean()
        if self.module_id and self.module.kind != Module.Kind.CERTIFICATION:
            raise ValidationError({"module": "Only a certification module can be an exam."})


class ExamAttempt(models.Model):
    """One sitting of an exam by a learner; open until ``finished_at`` is set."""

    class Ending(models.TextChoices):
        LEARNER = "learner", "Finished by the learner"
        DEADLINE = "deadline", "Submitted at the deadline"

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=8, choices=Ending.choices, blank=True)
    points_earned = models.PositiveIntegerField(default=0)
    points_total = models.PositiveIntegerField(default=0)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "user", "number"], name="crt_attempt_number_unique"),
            # Two racing "start" clicks cannot open two attempts.
            models.UniqueConstraint(
                fields=["exam", "user"], condition=Q(finished_at__isnull=True), name="crt_attempt_one_open"
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("started_at")), name="crt_attempt_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.exam.module} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None

    @property
    def score_percent(self) -> int:
        return self.points_earned * 100 // self.points_total if self.points_total else 0


class ExamAnswer(models.Model):
    """The learner's code for one exercise of an attempt, and how it was last judged."""

    attempt = models.ForeignKey(ExamAttempt, on_delete=models.CASCADE, related_name="answers")
    exercise = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=16, choices=ProgrammingLanguage.choices)
    code = models.TextField()
    saved_at = models.DateTimeField()
    judged_code = models.TextField(blank=True)
    judged_language = models.CharField(max_length=16, blank=True)
    judged_at = models.DateTimeField(null=True, blank=True)
    tests_passed = models.PositiveIntegerField(default=0)
    tests_total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempt_id", "exercise__position", "exercise_id"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "exercise"], name="crt_answer_one_per_exercise"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt}: {self.exercise}"

    @property
    def is_judged(self) -> bool:
        return (
            self.judged_at is not None
            and self.judged_code == self.code
            and self.judged_language == self.language
        )


class Certificate(models.Model):
    """Proof that ``user`` passed ``exam``: names and score are kept as they were on that day."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="certificates")
    attempt = models.OneToOneField(ExamAttempt, on_delete=models.PROTECT, related_name="certificate")
    holder_name = models.CharField(max_length=300)
    title = models.CharField(max_length=200)
    score_percent = models.PositiveSmallIntegerField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_on_profile = models.BooleanField(default=False)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "exam"], name="crt_certificate_once_per_exam"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""), name="crt_revocation_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.holder_name}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class PublicProfile(models.Model):
    """A learner's choice to have a public page (``/u/<username>/``); off until they turn it on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="public_profile"
    )
    is_public = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} ({'public' if self.is_public else 'private'})"
