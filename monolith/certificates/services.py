"""Writes of the certifications: exam attempts, answers, grading, certificates, public profiles.

Time is the server's: every deadline check compares ``timezone.now()`` with the
attempt's stored ``deadline``; nothing the browser sends about time is read.
An attempt whose deadline passed is closed the next time anything touches it
(``attempt_close_if_expired``: the exam pages, the timer, the learner's
certificates page) or by ``manage.py exams_close_expired`` run periodically;
closing judges the last saved code of each exercise, exactly as if the learner
had finished at the deadline.

Code is judged outside any transaction (a run takes seconds); the outcome is
recorded under a lock on the attempt row, so racing requests record it once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Conflict, ServiceError, Unavailable
from monolith.accounts.services.wallet import wallet_credit
from monolith.certificates import selectors
from monolith.certificates.models import Certificate, Exam, ExamAnswer, ExamAttempt, PublicProfile
from monolith.learning import services as learning
from monolith.learning.models import MAX_CODE_BYTES, Content
from monolith.notifications.kinds import MailKind
from monolith.notifications.services import mail_request

logger = logging.getLogger(__name__)


class ExamClosed(Conflict):
    """The attempt is over (finished, or past its deadline by the server's clock)."""

    code = "exam_closed"


# --- starting --------------------------------------------------------------------------


def exam_start(*, user, exam: Exam) -> ExamAttempt:
    """Open a new attempt for ``user``, or return the one still open.

    An attempt left open past its deadline is graded first (its last saved
    answers). Refused (``Conflict``) when the learner already holds the
    certificate, used every attempt, or is within a cool-down: the message
    says which and until when.
    """
    for expired in ExamAttempt.objects.filter(exam=exam, user=user, finished_at__isnull=True):
        attempt_close_if_expired(attempt=expired)
    return _attempt_open(user=user, exam=exam)


@transaction.atomic
def _attempt_open(*, user, exam: Exam) -> ExamAttempt:
    # Locking the learner's row serialises their racing starts.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    current = ExamAttempt.objects.filter(exam=exam, user=user, finished_at__isnull=True).first()
    if current is not None:
        return current
    if Certificate.objects.filter(user=user, exam=exam).exists():
        raise Conflict(_("You already hold this certificate."), code="already_certified")
    refusal = selectors.exam_start_refusal(user=user, exam=exam)
    if refusal:
        raise Conflict(refusal, code="attempt_refused")
    now = timezone.now()
    number = ExamAttempt.objects.filter(exam=exam, user=user).count() + 1
    try:
        with transaction.atomic():
            attempt = ExamAttempt.objects.create(
                exam=exam,
                user=user,
                number=number,
                started_at=now,
                deadline=now + timedelta(minutes=exam.duration_minutes),
            )
    except IntegrityError as exc:
        raise Conflict(_("An attempt was started at the same moment; reload the page.")) from exc
    logger.info("exam.started user=%s exam=%s attempt=%s", user.id, exam.id, attempt.id)
    return attempt


# --- answering -------------------------------------------------------------------------


def _check_open(attempt: ExamAttempt, *, at) -> None:
    if attempt.finished_at is not None:
        raise ExamClosed(_("This attempt is finished: nothing more can be sent."))
    if at >= attempt.deadline:
        raise ExamClosed(_("Time is up: the exam ended at its deadline, so this was not accepted."))


def _check_exercise(attempt: ExamAttempt, exercise: Content) -> None:
    if exercise.id not in selectors.exam_exercise_ids(exam=attempt.exam):
        raise ServiceError(_("This exercise is not part of the exam."), field="exercise")


def _check_code(*, exercise: Content, language: str, code: str) -> None:
    if not exercise.editor_settings.filter(language=language).exists():
        raise ServiceError(_("This exercise cannot be solved in that language."), field="language")
    if len(code.encode("utf-8", "replace")) > MAX_CODE_BYTES:
        raise ServiceError(
            _("Your code is too long: at most %(limit)s KiB.") % {"limit": MAX_CODE_BYTES // 1024},
            field="code",
        )


@transaction.atomic
def answer_save(*, attempt: ExamAttempt, exercise: Content, language: str, code: str, at=None) -> ExamAnswer:
    """Keep ``code`` as the learner's answer to ``exercise`` (what the deadline submits)."""
    at = at or timezone.now()
    attempt = ExamAttempt.objects.select_for_update().get(pk=attempt.pk)
    _check_open(attempt, at=at)
    _check_exercise(attempt, exercise)
    _check_code(exercise=exercise, language=language, code=code)
    answer, _created = ExamAnswer.objects.update_or_create(
        attempt=attempt, exercise=exercise, defaults={"language": language, "code": code, "saved_at": at}
    )
    return answer


def answer_submit(*, attempt: ExamAttempt, exercise: Content, language: str, code: str) -> ExamAnswer:
    """Save ``code`` and judge it on every test of ``exercise``; the learner sees only the count.

    The deadline is checked when the request arrives (before the run) and the
    result is recorded even if judging ends after it: what counts is when the
    code was received. Raises ``ExamClosed`` after the deadline.
    """
    received = timezone.now()
    answer = answer_save(attempt=attempt, exercise=exercise, language=language, code=code, at=received)
    report = learning.exercise_judge(exercise=exercise, language=language, code=code)
    return _answer_record(answer_id=answer.id, language=language, code=code, report=report)


@transaction.atomic
def _answer_record(*, answer_id: int, language: str, code: str, report) -> ExamAnswer:
    answer = ExamAnswer.objects.select_for_update().get(pk=answer_id)
    answer.judged_code = code
    answer.judged_language = language
    answer.judged_at = timezone.now()
    answer.tests_passed = sum(1 for result in report.results if result.passed)
    answer.tests_total = len(report.results)
    answer.save()
    return answer


# --- finishing -------------------------------------------------------------------------


def attempt_finish(*, attempt: ExamAttempt, ended_by: str = ExamAttempt.Ending.LEARNER) -> ExamAttempt:
    """Judge every answer not judged as it stands, then grade the attempt (once).

    A learner finishing after the deadline gets the deadline's grading: the
    answers are those saved before it either way.
    """
    if attempt.finished_at is not None:
        return attempt
    if ended_by == ExamAttempt.Ending.LEARNER and timezone.now() >= attempt.deadline:
        ended_by = ExamAttempt.Ending.DEADLINE
    for answer in attempt.answers.select_related("exercise"):
        if answer.is_judged:
            continue
        try:
            report = learning.exercise_judge(
                exercise=answer.exercise, language=answer.language, code=answer.code
            )
        except Unavailable:
            # No runner now: the attempt stays open (and refuses posts after its deadline) until
            # the next access or periodic run can judge it; nobody loses points to an outage.
            raise
        except ServiceError:
            # The exercise changed since it was saved (language removed, no tests): it earns nothing.
            logger.warning("exam.answer_unjudgeable answer=%s", answer.id)
            continue
        _answer_record(answer_id=answer.id, language=answer.language, code=answer.code, report=report)
    return _attempt_grade(attempt_id=attempt.id, ended_by=ended_by)


def attempt_close_if_expired(*, attempt: ExamAttempt) -> ExamAttempt:
    """Submit the last saved answers of an attempt whose deadline passed; otherwise nothing."""
    if attempt.finished_at is None and timezone.now() >= attempt.deadline:
        return attempt_finish(attempt=attempt, ended_by=ExamAttempt.Ending.DEADLINE)
    return attempt


def attempts_close_expired(*, limit: int = 100) -> int:
    """Close every expired open attempt (the periodic job); returns how many were closed."""
    closed = 0
    expired = ExamAttempt.objects.filter(finished_at__isnull=True, deadline__lte=timezone.now())
    for attempt in expired.order_by("deadline")[:limit]:
        try:
            attempt_close_if_expired(attempt=attempt)
        except Unavailable:
            logger.warning("exam.close_postponed attempt=%s: no runner", attempt.id)
            continue
        closed += 1
    return closed


def _points(answer: ExamAnswer | None, weight: int) -> int:
    if answer is None or not answer.is_judged or not answer.tests_total:
        return 0
    return weight * answer.tests_passed // answer.tests_total


@transaction.atomic
def _attempt_grade(*, attempt_id: int, ended_by: str) -> ExamAttempt:
    attempt = (
        ExamAttempt.objects.select_for_update().select_related("exam__module", "user").get(pk=attempt_id)
    )
    if attempt.finished_at is not None:
        return attempt
    answers = {a.exercise_id: a for a in attempt.answers.all()}
    exercises = selectors.exam_exercises(exam=attempt.exam)
    attempt.points_total = sum(selectors.exercise_weight(e) for e in exercises)
    attempt.points_earned = sum(_points(answers.get(e.id), selectors.exercise_weight(e)) for e in exercises)
    attempt.passed = bool(attempt.points_total) and (
        attempt.points_earned * 100 >= attempt.exam.pass_percent * attempt.points_total
    )
    attempt.finished_at = min(timezone.now(), attempt.deadline)
    attempt.ended_by = ended_by
    attempt.save()
    logger.info(
        "exam.graded attempt=%s points=%s/%s passed=%s by=%s",
        attempt.id,
        attempt.points_earned,
        attempt.points_total,
        attempt.passed,
        ended_by,
    )
    if attempt.passed:
        _certificate_issue(attempt=attempt)
    return attempt


# --- certificates ----------------------------------------------------------------------


def certificate_url(certificate: Certificate) -> str:
    """The public verification address, on the site's public origin."""
    return f"{settings.SITE_URL.rstrip('/')}/certificates/{certificate.public_id}"


def _certificate_issue(*, attempt: ExamAttempt) -> Certificate | None:
    """Issue the certificate of a passed attempt, pay the module's reward, ask for the mail; once."""
    user, module = attempt.user, attempt.exam.module
    if Certificate.objects.filter(user=user, exam=attempt.exam).exists():
        return None
    certificate = Certificate.objects.create(
        user=user,
        exam=attempt.exam,
        attempt=attempt,
        holder_name=(user.get_full_name() or user.username)[:300],
        title=module.title,
        score_percent=attempt.score_percent,
        issued_at=attempt.finished_at,
    )
    if module.reward:
        # The reference of the module's reward: paid once, however the module was completed.
        wallet_credit(
            user=user,
            amount=module.reward,
            reference=learning.module_reward_reference(user_id=user.id, module_id=module.id),
            reason=f"Certification passed: {module.title}"[:200],
        )
    if user.email:
        mail_request(
            kind=MailKind.CERTIFICATE_AWARDED,
            to=user.email,
            language=user.preferred_language,
            context={
                "username": user.username,
                "certificate_name": certificate.title,
                "awarded_on": certificate.issued_at.date().isoformat(),
                "certificate_url": certificate_url(certificate),
            },
        )
    logger.info("certificate.issued user=%s exam=%s certificate=%s", user.id, attempt.exam_id, certificate.id)
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke ``certificate`` (staff); the verification page then says so, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for revoking this certificate."), field="reason")
    if len(reason) > 1000:
        raise ServiceError(_("The reason is too long: at most 1000 characters."), field="reason")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.is_revoked:
        raise Conflict(_("This certificate is already revoked."), field="reason")
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.revoked_by = by
    certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    logger.info("certificate.revoked certificate=%s by=%s", certificate.id, getattr(by, "id", None))
    return certificate


@transaction.atomic
def certificate_set_hidden(*, certificate: Certificate, user, hidden: bool) -> Certificate:
    """The holder shows or hides ``certificate`` on their public profile (it stays verifiable)."""
    if certificate.user_id != user.id:
        raise ServiceError(_("Only the holder can change this."), field="certificate")
    certificate.hidden_on_profile = hidden
    certificate.save(update_fields=["hidden_on_profile"])
    return certificate


@transaction.atomic
def profile_set_public(*, user, is_public: bool) -> PublicProfile:
    profile, _created = PublicProfile.objects.update_or_create(user=user, defaults={"is_public": is_public})
    return profile
