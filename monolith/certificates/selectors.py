"""Reads of the certifications: exams a user may take, their attempts, certificates, public profiles."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.errors import NotFound
from monolith.accounts.services.wallet import wallet_balance
from monolith.certificates.models import Certificate, Exam, ExamAttempt, PublicProfile
from monolith.learning.models import Content, Module
from monolith.learning.selectors import module_tree_ids


def exam_get(*, user, module_id: int) -> Exam:
    """The exam of a published certification module (staff also see unpublished ones)."""
    exam = Exam.objects.select_related("module").filter(module_id=module_id).first()
    if exam is None or exam.module.kind != Module.Kind.CERTIFICATION:
        raise NotFound(_("There is no such exam."))
    if not exam.module.is_published and not (user.is_authenticated and user.is_staff):
        raise NotFound(_("There is no such exam."))
    return exam


def exam_for_module(*, module: Module) -> Exam | None:
    return Exam.objects.filter(module=module).first()


def exam_exercises(*, exam: Exam) -> list[Content]:
    """The exam's exercises, in the module's order (chapters after the module's own)."""
    tree = module_tree_ids(module=exam.module)
    exercises = Content.objects.filter(module_id__in=tree, kind=Content.Kind.EXERCISE).prefetch_related(
        "editor_settings"
    )
    order = {module_id: index for index, module_id in enumerate(tree)}
    return sorted(exercises, key=lambda e: (order[e.module_id], e.position, e.id))


def exam_exercise_ids(*, exam: Exam) -> set[int]:
    return {e.id for e in exam_exercises(exam=exam)}


def exercise_weight(exercise: Content) -> int:
    """Points an exercise is worth in an exam: its reward, at least 1."""
    return max(exercise.reward, 1)


def attempt_list(*, user, exam: Exam) -> QuerySet[ExamAttempt]:
    return ExamAttempt.objects.filter(user=user, exam=exam).order_by("-number")


def attempt_get(*, user, pk: int) -> ExamAttempt:
    """One of ``user``'s own attempts; anyone else's is not found."""
    attempt = (
        ExamAttempt.objects.select_related("exam__module")
        .filter(pk=pk, user=user if user.is_authenticated else None)
        .first()
    )
    if attempt is None:
        raise NotFound(_("There is no such attempt."))
    return attempt


def next_attempt_at(*, user, exam: Exam):
    """When the cool-down after the last finished attempt ends (``None``: no cool-down running)."""
    last = (
        ExamAttempt.objects.filter(user=user, exam=exam, finished_at__isnull=False)
        .order_by("-finished_at")
        .first()
    )
    if last is None or not exam.cooldown_minutes:
        return None
    ready = last.finished_at + timedelta(minutes=exam.cooldown_minutes)
    return ready if ready > timezone.now() else None


def attempts_left(*, user, exam: Exam) -> int:
    return max(exam.max_attempts - ExamAttempt.objects.filter(user=user, exam=exam).count(), 0)


def exam_start_refusal(*, user, exam: Exam) -> str:
    """Why ``user`` may not start an attempt now, in words; empty when they may."""
    if not attempts_left(user=user, exam=exam):
        return ngettext(
            "You have used the %(count)s attempt this exam allows.",
            "You have used all %(count)s attempts this exam allows.",
            exam.max_attempts,
        ) % {"count": exam.max_attempts}
    ready = next_attempt_at(user=user, exam=exam)
    if ready is not None:
        when = formats.date_format(timezone.localtime(ready), "DATETIME_FORMAT")
        return _(
            "You can start your next attempt on %(when)s (UTC), once the cool-down after your last one ends."
        ) % {"when": when}
    return ""


def certificate_get_public(*, public_id: str) -> Certificate:
    """A certificate by its public id; anything else (forged, malformed, unknown) is not found."""
    if not isinstance(public_id, str) or not 8 <= len(public_id) <= 32:
        raise NotFound(_("There is no certificate with this id."))
    certificate = Certificate.objects.select_related("exam__module").filter(public_id=public_id).first()
    if certificate is None:
        raise NotFound(_("There is no certificate with this id."))
    return certificate


def certificate_list(*, user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(user=user).select_related("exam__module")


def profile_is_public(*, user) -> bool:
    return PublicProfile.objects.filter(user=user, is_public=True).exists()


def public_profile_get(*, username: str) -> dict:
    """What a learner's public page shows, if they made it public; otherwise not found.

    Certificates the holder hid, and revoked ones, are left out.
    """
    user = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
    if user is None or not profile_is_public(user=user):
        raise NotFound(_("There is no public profile with this name."))
    certificates = Certificate.objects.filter(user=user, hidden_on_profile=False, revoked_at__isnull=True)
    return {
        "holder": user,
        "certificates": list(certificates.select_related("exam__module")),
        "points": wallet_balance(user=user),
    }
