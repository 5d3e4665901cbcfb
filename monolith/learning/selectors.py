"""Reads of the learning app: what a user may see, and their own work.

Every selector takes the requesting ``user``: unpublished modules (and their
contents) exist for staff only, and a learner's submissions and progress are
their own. Anything a user may not see is reported as not found.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from rest_framework.exceptions import ValidationError

from common.errors import NotFound
from monolith.learning.filters import ModuleFilter, ModuleProgressFilter, SubmissionFilter
from monolith.learning.models import (
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


def _filtered(filterset_class, data: Mapping, queryset: QuerySet) -> QuerySet:
    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


def _is_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_staff)


def visible_modules_q(user, prefix: str = "") -> Q:
    """Modules ``user`` may see: staff see all; others, published ones under a published parent."""
    if _is_staff(user):
        return Q()
    return Q(**{f"{prefix}is_published": True}) & (
        Q(**{f"{prefix}parent__isnull": True}) | Q(**{f"{prefix}parent__is_published": True})
    )


def module_list(*, user, filters: Mapping | None = None) -> QuerySet[Module]:
    queryset = (
        Module.objects.filter(visible_modules_q(user))
        .annotate(content_count=Count("contents", distinct=True))
        .prefetch_related("tags")
        .order_by("position", "id")
    )
    return _filtered(ModuleFilter, filters or {}, queryset)


def module_get(*, user, module_id: int) -> Module:
    module = (
        Module.objects.filter(visible_modules_q(user), pk=module_id)
        .select_related("parent", "author")
        .prefetch_related("tags")
        .first()
    )
    if module is None:
        raise NotFound("Module not found.")
    return module


def module_contents(*, module: Module) -> QuerySet[Content]:
    return module.contents.order_by("position", "id")


def module_submodules(*, user, module: Module) -> QuerySet[Module]:
    return Module.objects.filter(visible_modules_q(user), parent=module).order_by("position", "id")


def content_get(*, user, content_id: int) -> Content:
    content = (
        Content.objects.filter(visible_modules_q(user, prefix="module__"), pk=content_id)
        .select_related("module__parent")
        .prefetch_related(
            Prefetch("validators", queryset=Validator.objects.order_by("position", "id")),
            Prefetch("editor_settings", queryset=EditorSetting.objects.order_by("language")),
        )
        .first()
    )
    if content is None or (content.is_exercise and not _is_staff(user) and _taken_in_exam(content.module)):
        raise NotFound("Content not found.")
    return content


def _taken_in_exam(module: Module) -> bool:
    """A certification's exercises are taken in its timed exam (monolith/certificates), not practised."""
    top = module.parent if module.parent_id is not None else module
    return top.kind == Module.Kind.CERTIFICATION


def exercise_get(*, user, exercise_id: int) -> Content:
    content = content_get(user=user, content_id=exercise_id)
    if not content.is_exercise:
        raise NotFound("Exercise not found.")
    return content


def exercise_progress_get(*, user, exercise: Content) -> ExerciseProgress | None:
    return ExerciseProgress.objects.filter(user=user, exercise=exercise).first()


def exercise_last_attempts(*, user, exercise: Content) -> dict[str, Submission]:
    """The user's latest submission of ``exercise`` in each language they used, by language."""
    if not user.is_authenticated:
        return {}
    latest = (
        Submission.objects.filter(user=user, exercise=exercise)
        .values("language")
        .annotate(last_id=Max("id"))
        .values_list("last_id", flat=True)
    )
    return {s.language: s for s in Submission.objects.filter(pk__in=list(latest))}


def submission_points(*, submission: Submission) -> int:
    """Points the submission earned: its exercise's reward and any module reward it completed."""
    from monolith.accounts.models import LedgerEntry
    from monolith.learning.services import exercise_reward_reference, module_reward_reference

    if not submission.passed:
        return 0
    module = submission.exercise.module
    references = [
        exercise_reward_reference(user_id=submission.user_id, exercise_id=submission.exercise_id),
        *(
            module_reward_reference(user_id=submission.user_id, module_id=module_id)
            for module_id in (module.id, module.parent_id)
            if module_id is not None
        ),
    ]
    # Rewards are credited in the transaction that records the submission, after it.
    entries = LedgerEntry.objects.filter(
        wallet__user_id=submission.user_id, reference__in=references, created_at__gte=submission.created_at
    )
    return sum(entries.values_list("amount", flat=True))


def passed_exercise_ids(*, user, exercise_ids: Iterable[int]) -> set[int]:
    return set(
        ExerciseProgress.objects.filter(
            user=user, exercise_id__in=list(exercise_ids), first_passed_at__isnull=False
        ).values_list("exercise_id", flat=True)
    )


@dataclass(frozen=True)
class ValidatorReveal:
    """Which hidden validators' data a user may see.

    Staff see every validator; a learner sees a hidden validator's data only
    once they unlocked it. Public validators are always shown.
    """

    everything: bool = False
    unlocked_ids: frozenset[int] = field(default_factory=frozenset)

    def shows(self, *, validator_id: int | None, hidden: bool) -> bool:
        if not hidden or self.everything:
            return True
        return validator_id is not None and validator_id in self.unlocked_ids


def validator_reveal(*, user, exercise_ids: Iterable[int]) -> ValidatorReveal:
    if _is_staff(user):
        return ValidatorReveal(everything=True)
    unlocked = ValidatorUnlock.objects.filter(
        user=user, validator__exercise_id__in=list(exercise_ids)
    ).values_list("validator_id", flat=True)
    return ValidatorReveal(unlocked_ids=frozenset(unlocked))


def validators_by_id(*, exercise_ids: Iterable[int]) -> dict[int, Validator]:
    return {v.id: v for v in Validator.objects.filter(exercise_id__in=list(exercise_ids))}


def submission_list(*, user, filters: Mapping | None = None) -> QuerySet[Submission]:
    queryset = Submission.objects.filter(user=user).select_related("exercise").order_by("-created_at", "-id")
    return _filtered(SubmissionFilter, filters or {}, queryset)


def submission_get(*, user, submission_id: int) -> Submission:
    submission = Submission.objects.filter(user=user, pk=submission_id).select_related("exercise").first()
    if submission is None:
        raise NotFound("Submission not found.")
    return submission


def module_progress_list(*, user, filters: Mapping | None = None) -> QuerySet[ModuleProgress]:
    queryset = (
        ModuleProgress.objects.filter(user=user).select_related("module").order_by("-updated_at", "-id")
    )
    return _filtered(ModuleProgressFilter, filters or {}, queryset)


def module_tree_ids(*, module: Module) -> list[int]:
    """The module and its published submodules: whose exercises count towards its progress."""
    return [module.id, *module.submodules.filter(is_published=True).values_list("id", flat=True)]


def module_exercise_count(*, module: Module) -> int:
    return Content.objects.filter(
        module_id__in=module_tree_ids(module=module), kind=Content.Kind.EXERCISE
    ).count()


def module_progress_get(*, user, module: Module) -> ModuleProgress:
    """The user's progress on ``module``; an unsaved, empty one if they have not started."""
    progress = ModuleProgress.objects.filter(user=user, module=module).first()
    if progress is None:
        progress = ModuleProgress(
            user=user, module=module, exercises_total=module_exercise_count(module=module)
        )
    return progress


def exercise_counts(*, module_ids: Iterable[int]) -> dict[int, int]:
    """Exercises of each module, its published submodules' included (what its progress counts)."""
    ids = set(module_ids)
    rows = (
        Content.objects.filter(kind=Content.Kind.EXERCISE)
        .filter(Q(module_id__in=ids) | Q(module__parent_id__in=ids, module__is_published=True))
        .values("module_id", "module__parent_id", "module__is_published")
        .annotate(count=Count("id"))
    )
    counts = dict.fromkeys(ids, 0)
    for row in rows:
        if row["module_id"] in ids:
            counts[row["module_id"]] += row["count"]
        if row["module__parent_id"] in ids and row["module__is_published"]:
            counts[row["module__parent_id"]] += row["count"]
    return counts


def module_progress_by_module(*, user, module_ids: Iterable[int]) -> dict[int, ModuleProgress]:
    """The user's progress rows on these modules, by module id (a module not started is absent)."""
    if not user.is_authenticated:
        return {}
    rows = ModuleProgress.objects.filter(user=user, module_id__in=list(module_ids))
    return {row.module_id: row for row in rows}


def tag_list(*, user) -> QuerySet[Tag]:
    """Tags of the top-level modules ``user`` may see."""
    modules = Module.objects.filter(visible_modules_q(user), parent__isnull=True)
    return Tag.objects.filter(modules__in=modules).distinct().order_by("name")


def submitted_exercises(*, user) -> QuerySet[Content]:
    """Exercises ``user`` submitted code for, by title."""
    return (
        Content.objects.filter(pk__in=Submission.objects.filter(user=user).values("exercise_id"))
        .only("id", "title")
        .order_by("title", "id")
    )


def top_module_progress_list(*, user) -> QuerySet[ModuleProgress]:
    """The user's progress on the top-level modules they started and may still see, latest first."""
    return module_progress_list(user=user).filter(
        visible_modules_q(user, prefix="module__"), module__parent__isnull=True
    )


def solved_exercise_count(*, user) -> int:
    return ExerciseProgress.objects.filter(user=user, first_passed_at__isnull=False).count()


def read_lesson_ids(*, user, lesson_ids: Iterable[int]) -> set[int]:
    """Which of these lessons ``user`` marked as read."""
    if not user.is_authenticated:
        return set()
    reads = LessonRead.objects.filter(user=user, lesson_id__in=list(lesson_ids))
    return set(reads.values_list("lesson_id", flat=True))
