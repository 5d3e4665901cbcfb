"""Writes of the learning app: running and submitting code, unlocks, content authoring.

Code runs *outside* any database transaction (a run can take seconds and must
not hold row locks); only recording its outcome is transactional. Lock order
when a submission is recorded is always: the learner's ``ExerciseProgress``
row, then their ``ModuleProgress`` rows by module id, then the wallet (inside
``wallet_credit``) — so concurrent submissions cannot deadlock.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, ProtectedError, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from common.errors import Conflict, ServiceError
from monolith.accounts.services.wallet import wallet_credit
from monolith.learning import execution, grading
from monolith.learning.models import (
    MAX_CODE_BYTES,
    Content,
    EditorSetting,
    ExerciseProgress,
    LessonRead,
    Module,
    ModuleProgress,
    Submission,
    Tag,
    Validator,
    ValidatorUnlock,
)
from monolith.learning.selectors import module_tree_ids

logger = logging.getLogger(__name__)

#: Stored output per validator and stream; the runner caps output before this.
MAX_STORED_OUTPUT = 16 * 1024


def exercise_reward_reference(*, user_id: int, exercise_id: int) -> str:
    return f"reward:user:{user_id}:exercise:{exercise_id}"


def module_reward_reference(*, user_id: int, module_id: int) -> str:
    return f"reward:user:{user_id}:module:{module_id}"


# --- running and submitting -------------------------------------------------


@dataclass(frozen=True)
class ValidatorResult:
    """How one validator judged a run, in the shape stored on a submission."""

    validator_id: int
    position: int
    hidden: bool
    passed: bool
    verdict: str
    exit_code: int | None
    stdout: str
    stderr: str

    def as_dict(self) -> dict:
        return {
            "validator_id": self.validator_id,
            "position": self.position,
            "hidden": self.hidden,
            "passed": self.passed,
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "stdout": self.stdout,
            "stderr": self.stderr,
        }


@dataclass(frozen=True)
class RunReport:
    """The outcome of judging code: overall, per validator, and the compiler's output."""

    passed: bool
    results: list[ValidatorResult]
    compile_output: str


def _storable(text: str | None, limit: int = MAX_STORED_OUTPUT) -> str:
    """Output made safe to store: no NUL (PostgreSQL text refuses it), valid UTF-8, capped."""
    if not text:
        return ""
    text = text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    if len(text) > limit:
        text = text[:limit] + "\n[output truncated]"
    return text


def _check_code(*, exercise: Content, language: str, code: str) -> None:
    if not exercise.is_exercise:
        raise ServiceError("Only exercises can be run.", field="exercise")
    languages = {setting.language for setting in exercise.editor_settings.all()}
    if language not in languages:
        allowed = ", ".join(sorted(languages)) or "none"
        raise ServiceError(
            f"This exercise cannot be solved in {language!r}; choose one of: {allowed}.", field="language"
        )
    if len(code.encode("utf-8", "replace")) > MAX_CODE_BYTES:
        raise ServiceError(f"Code must be at most {MAX_CODE_BYTES} bytes.", field="code")


def _judge(*, language: str, code: str, validators: list[Validator]) -> RunReport:
    tests = [
        execution.TestCase(id=str(v.id), stdin=v.stdin_text, expected_stdout=v.expected_text)
        for v in validators
    ]
    judged = execution.get_code_runner().judge(language=language, source=code, tests=tests)
    graded = grading.grade(
        expected=[grading.Expected(id=str(v.id), lines=v.expected_stdout) for v in validators],
        outcomes=judged.tests,
    )
    results = [
        ValidatorResult(
            validator_id=v.id,
            position=v.position,
            hidden=v.is_hidden,
            passed=g.passed,
            verdict=g.verdict,
            exit_code=g.exit_code,
            stdout=_storable(g.stdout),
            stderr=_storable(g.stderr),
        )
        for v, g in zip(validators, graded.validators, strict=True)
    ]
    return RunReport(passed=graded.passed, results=results, compile_output=_storable(judged.compile_output))


def exercise_run(*, user, exercise: Content, language: str, code: str) -> RunReport:
    """Run ``code`` against the exercise's public validators; nothing is saved.

    Raises ``ServiceError`` (400) for a language the exercise does not offer
    or code over 64 KiB, ``Unavailable`` (503) when no runner answers.
    """
    _check_code(exercise=exercise, language=language, code=code)
    validators = list(exercise.validators.filter(is_hidden=False).order_by("position", "id"))
    if not validators:
        raise Conflict("This exercise has no public tests to run; submit it instead.", field="exercise")
    return _judge(language=language, code=code, validators=validators)


@dataclass(frozen=True)
class InputRun:
    """One run of a learner's code on input they typed: what it printed and what it used.

    ``verdict`` is ``completed`` when the program ran to its end with exit code
    0 (there is no expected output to compare with), else the runner's verdict
    (``runtime_error`` for a non-zero exit code).
    """

    verdict: str
    exit_code: int | None
    stdout: str
    stderr: str
    compile_output: str
    cpu_ms: int | None
    wall_ms: int | None
    memory_kb: int | None

    COMPLETED = "completed"


def exercise_run_input(*, user, exercise: Content, language: str, code: str, stdin: str) -> InputRun:
    """Run ``code`` once on ``stdin`` (the learner's own input); nothing is saved.

    The same checks and runner as ``exercise_run``: ``ServiceError`` (400) for a
    language the exercise does not offer or code over 64 KiB, ``Unavailable``
    (503) when no runner answers.
    """
    _check_code(exercise=exercise, language=language, code=code)
    test = execution.TestCase(id="input", stdin=stdin, expected_stdout="")
    judged = execution.get_code_runner().judge(language=language, source=code, tests=[test])
    outcome = judged.tests[0] if judged.tests else None
    if outcome is None:
        verdict = execution.Verdict.INTERNAL_ERROR
    elif outcome.verdict in execution.Verdict.COMPLETED:
        # The runner compared with an empty expected output: only the exit code means something.
        verdict = InputRun.COMPLETED if outcome.exit_code == 0 else execution.Verdict.RUNTIME_ERROR
    else:
        verdict = outcome.verdict
    return InputRun(
        verdict=verdict,
        exit_code=outcome.exit_code if outcome else None,
        stdout=_storable(outcome.stdout if outcome else ""),
        stderr=_storable(outcome.stderr if outcome else ""),
        compile_output=_storable(judged.compile_output),
        cpu_ms=outcome.cpu_ms if outcome else None,
        wall_ms=outcome.wall_ms if outcome else None,
        memory_kb=outcome.memory_kb if outcome else None,
    )


def exercise_judge(*, exercise: Content, language: str, code: str) -> RunReport:
    """Judge ``code`` against every validator of ``exercise``, hidden ones included; nothing is saved.

    The checks, runner and grading of ``exercise_submit``, for callers that
    record the outcome themselves (campaigns).
    """
    _check_code(exercise=exercise, language=language, code=code)
    validators = list(exercise.validators.order_by("position", "id"))
    if not validators:
        raise Conflict("This exercise has no tests yet.", field="exercise")
    return _judge(language=language, code=code, validators=validators)


def exercise_submit(*, user, exercise: Content, language: str, code: str) -> Submission:
    """Judge ``code`` against every validator and record it as a submission.

    Updates the learner's last attempt / last success and module progress. On
    the learner's *first* success only, the exercise reward is credited with
    the reference ``reward:user:<id>:exercise:<id>``: the ledger's unique
    reference makes a second success, or two racing successes, credit once.
    Completing every exercise of a module credits the module's reward once.

    The code runs before the transaction opens; recording is atomic.
    """
    report = exercise_judge(exercise=exercise, language=language, code=code)
    return _submission_record(user=user, exercise=exercise, language=language, code=code, report=report)


@transaction.atomic
def _submission_record(*, user, exercise: Content, language: str, code: str, report: RunReport) -> Submission:
    progress, _ = ExerciseProgress.objects.get_or_create(user=user, exercise=exercise)
    progress = ExerciseProgress.objects.select_for_update().get(pk=progress.pk)

    submission = Submission.objects.create(
        user=user,
        exercise=exercise,
        language=language,
        code=code,
        passed=report.passed,
        results=[r.as_dict() for r in report.results],
        compile_output=report.compile_output,
    )
    progress.attempts += 1
    progress.last_attempt = submission
    first_success = report.passed and progress.first_passed_at is None
    if report.passed:
        progress.last_success = submission
    if first_success:
        progress.first_passed_at = submission.created_at
    progress.save()

    module_progress = _locked_module_progress(user=user, module=exercise.module)
    credited = 0
    if first_success and exercise.reward > 0:
        _entry, created = wallet_credit(
            user=user,
            amount=exercise.reward,
            reference=exercise_reward_reference(user_id=user.id, exercise_id=exercise.id),
            reason=f"Exercise passed: {exercise.title}"[:200],
        )
        credited = exercise.reward if created else 0
    _module_progress_update(user=user, rows=module_progress, credited=credited)
    logger.info(
        "submission user=%s exercise=%s passed=%s first_success=%s credited=%s",
        user.id,
        exercise.id,
        report.passed,
        first_success,
        credited,
    )
    return submission


def _locked_module_progress(*, user, module: Module) -> list[ModuleProgress]:
    """The learner's progress rows for ``module`` and its parent, locked, deepest first."""
    chain = [module] if module.parent_id is None else [module, module.parent]
    for m in chain:
        ModuleProgress.objects.get_or_create(user=user, module=m)
    locked = {
        row.module_id: row
        for row in ModuleProgress.objects.select_for_update()
        .filter(user=user, module__in=chain)
        .select_related("module")
        .order_by("module_id")
    }
    return [locked[m.id] for m in chain]


def _module_progress_update(*, user, rows: list[ModuleProgress], credited: int) -> None:
    """Recount the rows (deepest first) and credit a module's reward when it becomes complete.

    Points earned in a submodule also count towards its parent.
    """
    for row in rows:
        row.points_earned += credited
    for index, row in enumerate(rows):
        tree = module_tree_ids(module=row.module)
        row.exercises_total = Content.objects.filter(module_id__in=tree, kind=Content.Kind.EXERCISE).count()
        row.exercises_passed = ExerciseProgress.objects.filter(
            user=user,
            exercise__module_id__in=tree,
            exercise__kind=Content.Kind.EXERCISE,
            first_passed_at__isnull=False,
        ).count()
        if row.completed_at is None and row.exercises_total and row.exercises_passed == row.exercises_total:
            row.completed_at = timezone.now()
            if row.module.reward > 0:
                _entry, created = wallet_credit(
                    user=user,
                    amount=row.module.reward,
                    reference=module_reward_reference(user_id=user.id, module_id=row.module_id),
                    reason=f"Module completed: {row.module.title}"[:200],
                )
                if created:
                    for earner in rows[index:]:
                        earner.points_earned += row.module.reward
    for row in rows:
        row.save()


def _module_progress_recount(*, modules: Iterable[Module]) -> None:
    """Recount passed/total of every learner's progress on ``modules`` after their exercises changed."""
    for module in modules:
        tree = module_tree_ids(module=module)
        total = Content.objects.filter(module_id__in=tree, kind=Content.Kind.EXERCISE).count()
        passed = (
            ExerciseProgress.objects.filter(
                user=OuterRef("user"),
                exercise__module_id__in=tree,
                exercise__kind=Content.Kind.EXERCISE,
                first_passed_at__isnull=False,
            )
            .values("user")
            .annotate(n=Count("id"))
            .values("n")
        )
        ModuleProgress.objects.filter(module=module).update(
            exercises_total=total,
            exercises_passed=Coalesce(Subquery(passed, output_field=IntegerField()), Value(0)),
        )


def validator_unlock(*, user, validator: Validator) -> tuple[ValidatorUnlock, bool]:
    """Let ``user`` see ``validator``'s data even though it is hidden.

    Idempotent: unlocking twice (or concurrently) keeps one unlock; returns
    the unlock and whether it is new. Called by the shop when a validator
    item is bought.
    """
    try:
        with transaction.atomic():
            return ValidatorUnlock.objects.get_or_create(user=user, validator=validator)
    except IntegrityError:
        return ValidatorUnlock.objects.get(user=user, validator=validator), False


# --- authoring (staff) ------------------------------------------------------


def _validated_save(instance, *, exclude: Iterable[str] = ()) -> None:
    """Model validation (field validators, choices, constraints), then save.

    A race that slips past validation ends in ``IntegrityError``: a 409.
    """
    instance.full_clean(exclude=list(exclude))
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise Conflict("This conflicts with existing content; reload and try again.") from exc


def _unique_slug(model, base: str, **scope) -> str:
    base = slugify(base)[:180] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _tags_from_names(names: Iterable[str]) -> list[Tag]:
    tags = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        slug = slugify(name)[:50]
        if not slug:
            raise ServiceError(f"Tag {name!r} has no letters or digits.", field="tags")
        tag = Tag.objects.filter(slug=slug).first() or Tag.objects.create(name=name[:50], slug=slug)
        tags.append(tag)
    return tags


def _check_parent(*, kind: str, parent: Module | None, module: Module | None = None) -> None:
    if kind == Module.Kind.SUBMODULE and parent is None:
        raise ServiceError("A submodule needs a parent module.", field="parent")
    if kind != Module.Kind.SUBMODULE and parent is not None:
        raise ServiceError("Only a submodule has a parent module.", field="parent")
    if parent is not None and parent.parent_id is not None:
        raise ServiceError("A submodule's parent must be a top-level module.", field="parent")
    if module is not None and parent is not None and (parent.pk == module.pk):
        raise ServiceError("A module cannot be its own parent.", field="parent")
    if module is not None and parent is not None and module.submodules.exists():
        raise ServiceError("A module with submodules cannot become a submodule.", field="parent")


MODULE_FIELDS = ("title", "slug", "kind", "description", "reward", "parent", "position", "is_published")


@transaction.atomic
def module_create(
    *,
    author,
    title: str,
    kind: str,
    slug: str = "",
    description: str = "",
    tags: Iterable[str] = (),
    reward: int = 0,
    parent: Module | None = None,
    position: int | None = None,
    is_published: bool = False,
) -> Module:
    _check_parent(kind=kind, parent=parent)
    if slug and Module.objects.filter(slug=slug).exists():
        raise ServiceError("A module with this slug already exists.", field="slug")
    if position is None:
        position = Module.objects.filter(parent=parent).count()
    module = Module(
        title=title,
        slug=slug or _unique_slug(Module, title),
        kind=kind,
        description=description,
        reward=reward,
        parent=parent,
        position=position,
        author=author,
        is_published=is_published,
    )
    _validated_save(module)
    module.tags.set(_tags_from_names(tags))
    return module


@transaction.atomic
def module_update(*, module: Module, data: dict) -> Module:
    """Change the given fields of ``module`` (``tags`` replaces the tag list)."""
    unknown = set(data) - {*MODULE_FIELDS, "tags"}
    if unknown:
        raise ServiceError(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    kind = data.get("kind", module.kind)
    parent = data.get("parent", module.parent)
    if "kind" in data or "parent" in data:
        _check_parent(kind=kind, parent=parent, module=module)
    if "slug" in data and Module.objects.filter(slug=data["slug"]).exclude(pk=module.pk).exists():
        raise ServiceError("A module with this slug already exists.", field="slug")
    old_parent = module.parent
    for name in MODULE_FIELDS:
        if name in data:
            setattr(module, name, data[name])
    _validated_save(module)
    if "tags" in data:
        module.tags.set(_tags_from_names(data["tags"]))
    if {"parent", "is_published"} & set(data):
        _module_progress_recount(modules=[m for m in (module, old_parent, module.parent) if m is not None])
    return module


def _delete(instance, *, what: str) -> None:
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as exc:
        raise Conflict(
            f"This {what} is still referenced (e.g. by shop items) and cannot be deleted."
        ) from exc


@transaction.atomic
def module_delete(*, module: Module) -> None:
    parent = module.parent
    _delete(module, what="module")
    if parent is not None:
        _module_progress_recount(modules=[parent])


CONTENT_FIELDS = ("module", "kind", "title", "slug", "body", "reward", "position")


def _affected_modules(*modules: Module | None) -> list[Module]:
    seen: dict[int, Module] = {}
    for module in modules:
        if module is None:
            continue
        seen[module.pk] = module
        if module.parent_id is not None:
            seen[module.parent_id] = module.parent
    return list(seen.values())


@transaction.atomic
def content_create(
    *,
    module: Module,
    kind: str,
    title: str,
    slug: str = "",
    body: str = "",
    reward: int = 0,
    position: int | None = None,
) -> Content:
    if slug and Content.objects.filter(module=module, slug=slug).exists():
        raise ServiceError("This module already has a content with this slug.", field="slug")
    if position is None:
        position = module.contents.count()
    content = Content(
        module=module,
        kind=kind,
        title=title,
        slug=slug or _unique_slug(Content, title, module=module),
        body=body,
        reward=reward,
        position=position,
    )
    _validated_save(content)
    if content.is_exercise:
        _module_progress_recount(modules=_affected_modules(module))
    return content


@transaction.atomic
def content_update(*, content: Content, data: dict) -> Content:
    unknown = set(data) - set(CONTENT_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    module = data.get("module", content.module)
    slug = data.get("slug", content.slug)
    if {"module", "slug"} & set(data) and (
        Content.objects.filter(module=module, slug=slug).exclude(pk=content.pk).exists()
    ):
        raise ServiceError("This module already has a content with this slug.", field="slug")
    if data.get("kind", content.kind) != Content.Kind.EXERCISE and (
        content.validators.exists() or content.editor_settings.exists() or content.submissions.exists()
    ):
        raise ServiceError(
            "An exercise with tests, editor settings or submissions stays an exercise.", field="kind"
        )
    old_module = content.module
    for name in CONTENT_FIELDS:
        if name in data:
            setattr(content, name, data[name])
    _validated_save(content)
    if {"module", "kind"} & set(data):
        _module_progress_recount(modules=_affected_modules(old_module, content.module))
    return content


@transaction.atomic
def content_delete(*, content: Content) -> None:
    module = content.module
    _delete(content, what="content")
    _module_progress_recount(modules=_affected_modules(module))


def _require_exercise(content: Content) -> None:
    if not content.is_exercise:
        raise ServiceError("Tests and editor settings belong to exercises, not lessons.", field="exercise")


VALIDATOR_FIELDS = ("stdin", "expected_stdout", "is_hidden", "position")


@transaction.atomic
def validator_create(
    *,
    exercise: Content,
    stdin: list[str],
    expected_stdout: list[str],
    is_hidden: bool = False,
    position: int | None = None,
) -> Validator:
    _require_exercise(exercise)
    if position is None:
        last = exercise.validators.order_by("-position").values_list("position", flat=True).first()
        position = 0 if last is None else last + 1
    elif exercise.validators.filter(position=position).exists():
        raise ServiceError("This exercise already has a test at this position.", field="position")
    validator = Validator(
        exercise=exercise,
        stdin=stdin,
        expected_stdout=expected_stdout,
        is_hidden=is_hidden,
        position=position,
    )
    _validated_save(validator)
    return validator


@transaction.atomic
def validator_update(*, validator: Validator, data: dict) -> Validator:
    unknown = set(data) - set(VALIDATOR_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    if (
        "position" in data
        and Validator.objects.filter(exercise_id=validator.exercise_id, position=data["position"])
        .exclude(pk=validator.pk)
        .exists()
    ):
        raise ServiceError("This exercise already has a test at this position.", field="position")
    for name in VALIDATOR_FIELDS:
        if name in data:
            setattr(validator, name, data[name])
    _validated_save(validator)
    return validator


@transaction.atomic
def validator_delete(*, validator: Validator) -> None:
    _delete(validator, what="test")


EDITOR_SETTING_FIELDS = ("version", "starter_code")


@transaction.atomic
def editor_setting_create(
    *, exercise: Content, language: str, version: str = "", starter_code: str = ""
) -> EditorSetting:
    _require_exercise(exercise)
    if exercise.editor_settings.filter(language=language).exists():
        raise ServiceError("This exercise already has settings for this language.", field="language")
    setting = EditorSetting(exercise=exercise, language=language, version=version, starter_code=starter_code)
    _validated_save(setting)
    return setting


@transaction.atomic
def editor_setting_update(*, setting: EditorSetting, data: dict) -> EditorSetting:
    unknown = set(data) - set(EDITOR_SETTING_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    for name in EDITOR_SETTING_FIELDS:
        if name in data:
            setattr(setting, name, data[name])
    _validated_save(setting)
    return setting


@transaction.atomic
def editor_setting_delete(*, setting: EditorSetting) -> None:
    setting.delete()


# --- reading lessons ------------------------------------------------------------------


def lesson_mark_read(*, user, lesson: Content) -> LessonRead:
    """Record that ``user`` read ``lesson``; marking it again keeps the first time."""
    if lesson.is_exercise:
        raise ServiceError("Only a lesson can be marked as read; an exercise is solved.", field="lesson")
    read, _ = LessonRead.objects.get_or_create(user=user, lesson=lesson)
    return read
