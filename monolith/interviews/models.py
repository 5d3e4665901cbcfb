"""Take-home coding assessments: what a recruiting team asks, who it invites, what candidates wrote.

An ``Assessment`` belongs to a recruiting team; what it asks lives in its
``AssessmentVersion`` rows. A version is a frozen copy (exercises included:
statement, starter code, tests) so that an edit made after a candidate started
never changes what that candidate sees or how they are scored: editing a
version nobody has started changes it in place, otherwise it makes the next
version. ``TeamExercise`` is an exercise a team writes for itself; it lives
here, outside the learning catalogue, so learners and other teams never see it.

A candidate has no account: an ``Invitation`` (one email address) carries a
single-use link whose token is stored only as a SHA-256; starting consumes it
and opens the ``Attempt``, reached afterwards with a key kept in a cookie
(also stored hashed). ``Answer`` is the candidate's code per exercise and
``Snapshot`` its history (autosave, run, submit), replayed in the report.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from monolith.accounts.models import Team
from monolith.learning.models import ProgrammingLanguage


class TeamExercise(models.Model):
    """An exercise a recruiting team wrote; seen only by the team and, frozen, by its candidates."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="interview_exercises")
    title = models.CharField(max_length=200)
    statement = models.TextField(help_text="Markdown.")
    #: ``{"python": "starter code", ...}``: the languages it can be solved in.
    starters = models.JSONField(default=dict)
    #: ``[{"stdin": "...", "expected": "...", "hidden": true}, ...]``
    tests = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class Assessment(models.Model):
    """A take-home test of a recruiting team; its content is its latest version."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="assessments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        latest = self.versions.order_by("-number").first()
        return latest.title if latest else f"assessment {self.pk}"


class AssessmentVersion(models.Model):
    """What candidates who started on this version see and are scored on; frozen once one started."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True, help_text="Markdown.")
    languages = models.JSONField(default=list)
    duration_minutes = models.PositiveIntegerField()
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    #: The chosen exercises, ``["catalogue:12", "team:3"]``, to fill the edit form again.
    sources = models.JSONField(default=list)
    #: Frozen copies: ``[{"title", "statement", "starters": {lang: code}, "tests": [...]}]``.
    exercises = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["assessment_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="int_version_number_unique"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="int_version_window"
            ),
            models.CheckConstraint(condition=Q(duration_minutes__gte=1), name="int_version_duration"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class Invitation(models.Model):
    """One candidate invited to an assessment; the link's token is stored as a hash only."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        STARTED = "started", "Started"
        SUBMITTED = "submitted", "Submitted"
        REVOKED = "revoked", "Revoked"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INVITED)
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    #: Set when the candidate's personal data was erased on request; the scores stay.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                models.F("assessment"),
                models.functions.Lower("email"),
                condition=~Q(status="revoked") & Q(erased_at__isnull=True),
                name="int_invitation_one_per_email",
                violation_error_message="This address is already invited to this assessment.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.assessment_id}"


class Attempt(models.Model):
    """A candidate's timed sitting; the server's clock alone decides when it ends."""

    class Ending(models.TextChoices):
        CANDIDATE = "candidate", "Finished by the candidate"
        DEADLINE = "deadline", "Submitted at the deadline"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="attempt")
    version = models.ForeignKey(AssessmentVersion, on_delete=models.PROTECT, related_name="attempts")
    #: SHA-256 of the key in the candidate's cookie.
    key_hash = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=16, choices=Ending.choices, blank=True)
    tests_passed = models.PositiveIntegerField(default=0)
    tests_total = models.PositiveIntegerField(default=0)
    score_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    # Integrity signals, as the candidate's browser reported them (the start page says so).
    paste_count = models.PositiveIntegerField(default=0)
    paste_chars_total = models.PositiveIntegerField(default=0)
    paste_chars_max = models.PositiveIntegerField(default=0)
    tab_leaves = models.PositiveIntegerField(default=0)
    tab_away_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("started_at")), name="int_attempt_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"attempt {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class Answer(models.Model):
    """The candidate's code for one exercise (its index in the version) and its last judgement."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    exercise_index = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=16, choices=ProgrammingLanguage.choices)
    code = models.TextField()
    saved_at = models.DateTimeField()
    first_saved_at = models.DateTimeField()
    judged_code = models.TextField(blank=True)
    judged_language = models.CharField(max_length=16, blank=True)
    judged_at = models.DateTimeField(null=True, blank=True)
    tests_passed = models.PositiveIntegerField(default=0)
    tests_total = models.PositiveIntegerField(default=0)
    #: Per test: ``{"hidden", "passed", "verdict"}`` (the report shows them; the candidate only counts).
    verdicts = models.JSONField(default=list)

    class Meta:
        ordering = ["attempt_id", "exercise_index"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "exercise_index"], name="int_answer_one_per_exercise"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt}: exercise {self.exercise_index}"

    @property
    def is_judged(self) -> bool:
        return (
            self.judged_at is not None
            and self.judged_code == self.code
            and self.judged_language == self.language
        )


class Snapshot(models.Model):
    """The code of an answer at one moment: autosaved, run or submitted."""

    class Kind(models.TextChoices):
        AUTOSAVE = "autosave", "Autosave"
        RUN = "run", "Run"
        SUBMIT = "submit", "Submit"
        DEADLINE = "deadline", "Submitted at the deadline"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="snapshots")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    language = models.CharField(max_length=16, choices=ProgrammingLanguage.choices)
    code = models.TextField()
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["answer_id", "taken_at", "id"]

    def __str__(self) -> str:
        return f"{self.answer} {self.kind} at {self.taken_at:%H:%M:%S}"


class Pad(models.Model):
    """A live interview: one shared document, edited by the team's interviewers and one candidate.

    The document's authority lives here: ``doc`` at ``version``, where ``version``
    is the number of ``PadUpdate`` rows (every accepted change, in order), so the
    whole history can be replayed. The candidate's link token is stored as a
    SHA-256 only; ending the pad makes it refused.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="pads")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    candidate_name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=32)
    #: The exercise's statement (Markdown), copied when the pad opens; blank for a free pad.
    statement = models.TextField(blank=True)
    initial_doc = models.TextField(blank=True)
    doc = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    link_hash = models.CharField(max_length=64, unique=True)
    #: The interviewers' private notes: never sent to the candidate.
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def language_label(self) -> str:
        return (
            ProgrammingLanguage(self.language).label
            if self.language in ProgrammingLanguage.values
            else self.language
        )


class PadUpdate(models.Model):
    """One accepted change of a pad's document: ``version`` is the pad's version before it."""

    class Author(models.TextChoices):
        INTERVIEWER = "interviewer", gettext_lazy("interviewer")
        CANDIDATE = "candidate", gettext_lazy("candidate")

    pad = models.ForeignKey(Pad, on_delete=models.CASCADE, related_name="updates")
    version = models.PositiveIntegerField()
    #: A CodeMirror ``ChangeSet`` as JSON, and the id of the editor that made it.
    changes = models.JSONField()
    client_id = models.CharField(max_length=64)
    author = models.CharField(max_length=16, choices=Author.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pad", "version"]
        constraints = [models.UniqueConstraint(fields=["pad", "version"], name="pad_update_version_unique")]

    def __str__(self) -> str:
        return f"{self.pad_id}@{self.version}"


class PadRun(models.Model):
    """A run of the pad's code at one version, seen by everyone in the pad."""

    pad = models.ForeignKey(Pad, on_delete=models.CASCADE, related_name="runs")
    version = models.PositiveIntegerField()
    by = models.CharField(max_length=16, choices=PadUpdate.Author.choices)
    language = models.CharField(max_length=32)
    stdin = models.TextField(blank=True)
    verdict = models.CharField(max_length=32)
    stdout = models.TextField(blank=True)
    stderr = models.TextField(blank=True)
    compile_output = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pad", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.pad_id} run at {self.version}"
