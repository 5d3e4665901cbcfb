"""Learning content (modules, lessons, exercises, tests) and learners' work on it.

Modules hold ordered contents and, one level deep, ordered submodules. An
exercise is a ``Content`` of kind ``exercise``: it has editor settings (one per
programming language) and validators (stdin lines in, expected stdout lines
out). A learner's ``Submission`` is judged against every validator;
``ExerciseProgress`` keeps the last attempt and last success of a learner on
an exercise, and ``ModuleProgress`` the totals per module.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

#: Largest accepted source code, in bytes of UTF-8.
MAX_CODE_BYTES = 64 * 1024


class ProgrammingLanguage(models.TextChoices):
    """Languages the runner executes (see the runner service)."""

    PYTHON = "python", "Python"
    JAVASCRIPT = "javascript", "JavaScript"
    C = "c", "C"
    CPP = "cpp", "C++"
    JAVA = "java", "Java"
    RUST = "rust", "Rust"


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Module(models.Model):
    """A course, challenge or certification; a ``submodule`` is a chapter of one.

    Nesting is one level deep: a submodule has a parent, and its parent is a
    top-level module (enforced by ``clean`` and the services, since a check
    constraint cannot look at another row).
    """

    class Kind(models.TextChoices):
        CHALLENGE = "challenge", "Challenge"
        PRACTICE = "practice", "Practice"
        CERTIFICATION = "certification", "Certification"
        SUBMODULE = "submodule", "Submodule"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    description = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="modules")
    reward = models.PositiveIntegerField(default=0, help_text="Polypoints credited once, on completion.")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="submodules"
    )
    position = models.PositiveIntegerField(default=0, help_text="Order among its siblings, smallest first.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_published = models.BooleanField(default=False, help_text="Unpublished modules are seen by staff only.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["parent", "position"], name="learning_module_parent_pos"),
            models.Index(fields=["kind", "is_published"], name="learning_module_kind_pub"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["challenge", "practice", "certification", "submodule"]),
                name="learning_module_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind="submodule", parent__isnull=False)
                | (~Q(kind="submodule") & Q(parent__isnull=True)),
                name="learning_module_submodule_has_parent",
                violation_error_message="A submodule needs a parent module; other kinds are top-level.",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="learning_module_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.parent_id is not None and self.parent is not None and self.parent.parent_id is not None:
            raise ValidationError({"parent": "A submodule's parent must be a top-level module."})


class Content(models.Model):
    """A lesson or an exercise, at ``position`` within its module."""

    class Kind(models.TextChoices):
        LESSON = "lesson", "Lesson"
        EXERCISE = "exercise", "Exercise"

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="contents")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown.")
    reward = models.PositiveIntegerField(default=0, help_text="Polypoints for the first success (exercises).")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["module_id", "position", "id"]
        indexes = [models.Index(fields=["module", "position"], name="learning_content_module_pos")]
        constraints = [
            models.UniqueConstraint(fields=["module", "slug"], name="learning_content_slug_unique_in_module"),
            models.CheckConstraint(
                condition=Q(kind__in=["lesson", "exercise"]), name="learning_content_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_exercise(self) -> bool:
        return self.kind == self.Kind.EXERCISE


class EditorSetting(models.Model):
    """How the editor opens an exercise in one language: version and starter code."""

    exercise = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="editor_settings")
    language = models.CharField(max_length=16, choices=ProgrammingLanguage.choices)
    version = models.CharField(max_length=32, blank=True, help_text="Shown to the learner, e.g. 3.12.")
    starter_code = models.TextField(blank=True)

    class Meta:
        ordering = ["exercise_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "language"], name="learning_editor_one_per_language"),
            models.CheckConstraint(
                condition=Q(language__in=ProgrammingLanguage.values), name="learning_editor_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} [{self.language}]"


def _validate_lines(value) -> None:
    if not isinstance(value, list) or not all(isinstance(line, str) for line in value):
        raise ValidationError("Must be a list of text lines.")
    if any("\n" in line or "\r" in line for line in value):
        raise ValidationError("A line must not contain a line break.")


class Validator(models.Model):
    """One test of an exercise: ``stdin`` lines in, ``expected_stdout`` lines out.

    Lines are stored as JSON lists of strings rather than one text blob: the
    grading compares line by line, so the list *is* the unit being compared,
    an empty line or trailing spaces survive any editor or form round-trip,
    and there is no ambiguity about a final newline. The stdin given to the
    program is the lines joined with ``\\n`` plus a final ``\\n``.
    """

    exercise = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="validators")
    position = models.PositiveIntegerField(default=0)
    stdin = models.JSONField(default=list, blank=True, validators=[_validate_lines])
    expected_stdout = models.JSONField(default=list, blank=True, validators=[_validate_lines])
    is_hidden = models.BooleanField(
        default=False, help_text="Hidden tests show only pass/fail to learners who have not unlocked them."
    )

    class Meta:
        ordering = ["exercise_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "position"], name="learning_validator_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} #{self.position}{' (hidden)' if self.is_hidden else ''}"

    @property
    def stdin_text(self) -> str:
        return "".join(f"{line}\n" for line in self.stdin)

    @property
    def expected_text(self) -> str:
        return "".join(f"{line}\n" for line in self.expected_stdout)


class ValidatorUnlock(models.Model):
    """A learner may see this hidden validator's data (bought in the shop)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="validator_unlocks"
    )
    validator = models.ForeignKey(Validator, on_delete=models.CASCADE, related_name="unlocks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "validator"], name="learning_unlock_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} unlocked {self.validator}"


class Submission(models.Model):
    """Code a learner submitted for an exercise and how each validator judged it.

    ``results`` is a snapshot, one entry per validator in position order:
    ``{"validator_id", "position", "hidden", "passed", "verdict", "exit_code",
    "stdout", "stderr"}``. Submissions are never updated.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    exercise = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="submissions")
    language = models.CharField(max_length=16, choices=ProgrammingLanguage.choices)
    code = models.TextField()
    passed = models.BooleanField()
    results = models.JSONField(default=list)
    compile_output = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "exercise", "-created_at"], name="learning_sub_user_ex_created"),
            models.Index(fields=["user", "-created_at"], name="learning_sub_user_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=ProgrammingLanguage.values),
                name="learning_submission_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.exercise} ({'passed' if self.passed else 'failed'})"


class ExerciseProgress(models.Model):
    """A learner's standing on one exercise: quick access to the last attempt and success.

    The row is locked while a submission is recorded, so concurrent
    submissions of the same learner on the same exercise are serialised and
    ``first_passed_at`` is set exactly once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_progress"
    )
    exercise = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="progress")
    attempts = models.PositiveIntegerField(default=0)
    last_attempt = models.ForeignKey(Submission, on_delete=models.SET_NULL, null=True, related_name="+")
    last_success = models.ForeignKey(Submission, on_delete=models.SET_NULL, null=True, related_name="+")
    first_passed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "exercise progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "exercise"], name="learning_exercise_progress_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.exercise}"

    @property
    def passed(self) -> bool:
        return self.first_passed_at is not None


class ModuleProgress(models.Model):
    """A learner's totals on a module, its submodules' exercises included.

    ``completed_at`` is set the first time every exercise is passed (for a
    certification, the moment it is earned) and never cleared afterwards.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_progress"
    )
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="progress")
    exercises_passed = models.PositiveIntegerField(default=0)
    exercises_total = models.PositiveIntegerField(default=0)
    points_earned = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "module progress"
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="learning_module_progress_unique"),
            models.CheckConstraint(
                condition=Q(exercises_passed__lte=F("exercises_total")),
                name="learning_progress_passed_le_total",
            ),
        ]
        indexes = [models.Index(fields=["user", "-updated_at"], name="learning_mod_progress_user")]

    def __str__(self) -> str:
        return f"{self.user} on {self.module}: {self.exercises_passed}/{self.exercises_total}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class LessonRead(models.Model):
    """A learner marked this lesson as read (once; the first time is kept)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lessons_read")
    lesson = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="learning_lesson_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.lesson}"
