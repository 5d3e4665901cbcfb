"""Writes of the interviews app: assessments and their versions, team exercises, invitations, attempts.

Time is the server's: every deadline check compares ``timezone.now()`` with the
attempt's stored ``deadline``; nothing the browser says about time is read. An
attempt past its deadline is closed the next time anything touches it (the
candidate's pages, the timer, the team's pages) or by ``manage.py
assessments_close_expired`` run periodically; closing judges the last saved
code of each exercise on every test, as if the candidate had submitted it.

Code is judged outside any transaction (a run takes seconds); the outcome is
recorded under a lock on the answer row.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Conflict, NotFound, ServiceError
from monolith.accounts.models import Team, TeamKind
from monolith.accounts.tokens import site_url, token_new
from monolith.interviews import csv_import, judging, selectors
from monolith.interviews.models import (
    Answer,
    Assessment,
    AssessmentVersion,
    Attempt,
    Invitation,
    Snapshot,
    TeamExercise,
)
from monolith.learning.models import MAX_CODE_BYTES, ProgrammingLanguage
from monolith.notifications.kinds import MailKind
from monolith.notifications.services import mail_request

logger = logging.getLogger(__name__)

MAX_EXERCISES = 10
MAX_TESTS = 50
#: Reminders go to candidates who have not started when this little time is left.
REMIND_BEFORE = timedelta(hours=24)


class AttemptClosed(Conflict):
    """The attempt is over (finished, or past its deadline by the server's clock)."""

    code = "attempt_closed"


# --- team exercises --------------------------------------------------------------------


def _clean_tests(tests) -> list[dict]:
    if not isinstance(tests, list) or not tests:
        raise ServiceError(_("Give at least one test."), field="tests")
    if len(tests) > MAX_TESTS:
        raise ServiceError(_("At most %(n)s tests.") % {"n": MAX_TESTS}, field="tests")
    cleaned = []
    for number, test in enumerate(tests, start=1):
        if not isinstance(test, dict) or not isinstance(test.get("expected"), str):
            raise ServiceError(
                _("Test %(n)s needs an “expected” output (text).") % {"n": number}, field="tests"
            )
        stdin = test.get("stdin", "")
        if not isinstance(stdin, str) or not isinstance(test.get("hidden", False), bool):
            raise ServiceError(
                _("Test %(n)s: “stdin” is text and “hidden” is true or false.") % {"n": number}, field="tests"
            )
        if stdin and not stdin.endswith("\n"):
            stdin += "\n"
        cleaned.append({"stdin": stdin, "expected": test["expected"], "hidden": test.get("hidden", False)})
    return cleaned


def _clean_starters(starters) -> dict[str, str]:
    if not isinstance(starters, dict) or not starters:
        raise ServiceError(_("Choose at least one language."), field="languages")
    unknown = set(starters) - set(ProgrammingLanguage.values)
    if unknown:
        raise ServiceError(
            _("Unknown language: %(l)s.") % {"l": ", ".join(sorted(unknown))}, field="languages"
        )
    return {language: str(code) for language, code in starters.items()}


def _check_team(team: Team) -> None:
    if team.kind != TeamKind.RECRUITING:
        raise ServiceError(_("Only a recruiting team can do this."), field="team")


@transaction.atomic
def team_exercise_create(*, team: Team, title: str, statement: str, starters: dict, tests) -> TeamExercise:
    _check_team(team)
    return TeamExercise.objects.create(
        team=team,
        title=title.strip(),
        statement=statement,
        starters=_clean_starters(starters),
        tests=_clean_tests(tests),
    )


@transaction.atomic
def team_exercise_update(*, exercise: TeamExercise, title: str, statement: str, starters: dict, tests):
    """Change a team exercise; versions already frozen keep their copy."""
    exercise.title = title.strip()
    exercise.statement = statement
    exercise.starters = _clean_starters(starters)
    exercise.tests = _clean_tests(tests)
    exercise.save()
    return exercise


# --- assessments and versions ----------------------------------------------------------


def _freeze(*, team: Team, sources: list[str], languages: list[str]) -> list[dict]:
    """Copies of the chosen exercises, limited to the assessment's languages."""
    if not sources:
        raise ServiceError(_("Choose at least one exercise."), field="sources")
    if len(sources) > MAX_EXERCISES:
        raise ServiceError(_("At most %(n)s exercises.") % {"n": MAX_EXERCISES}, field="sources")
    catalogue = {
        f"catalogue:{c.id}": c
        for c in selectors.catalogue_exercises().prefetch_related("validators", "editor_settings")
    }
    own = {f"team:{e.id}": e for e in TeamExercise.objects.filter(team=team)}
    frozen = []
    for source in sources:
        if source in catalogue:
            content = catalogue[source]
            title, statement = content.title, content.body
            starters = {s.language: s.starter_code for s in content.editor_settings.all()}
            tests = [
                {"stdin": v.stdin_text, "expected": v.expected_text, "hidden": v.is_hidden}
                for v in content.validators.order_by("position", "id")
            ]
        elif source in own:
            exercise = own[source]
            title, statement, starters, tests = (
                exercise.title,
                exercise.statement,
                exercise.starters,
                exercise.tests,
            )
        else:
            raise ServiceError(_("One of the chosen exercises is not available."), field="sources")
        starters = {lang: code for lang, code in starters.items() if lang in languages}
        if not starters:
            raise ServiceError(
                _("“%(title)s” cannot be solved in any of the allowed languages.") % {"title": title},
                field="languages",
            )
        frozen.append(
            {"source": source, "title": title, "statement": statement, "starters": starters, "tests": tests}
        )
    return frozen


def _check_fields(data: dict) -> None:
    if not data["title"].strip():
        raise ServiceError(_("Give the assessment a title."), field="title")
    if data["closes_at"] <= data["opens_at"]:
        raise ServiceError(_("The assessment must close after it opens."), field="closes_at")
    if not 1 <= data["duration_minutes"] <= 24 * 60:
        raise ServiceError(_("The duration is between 1 minute and 24 hours."), field="duration_minutes")
    unknown = set(data["languages"]) - set(ProgrammingLanguage.values)
    if not data["languages"] or unknown:
        raise ServiceError(_("Choose at least one language."), field="languages")


def _version_fields(*, team: Team, data: dict) -> dict:
    _check_fields(data)
    return {
        "title": data["title"].strip(),
        "instructions": data.get("instructions", ""),
        "languages": list(data["languages"]),
        "duration_minutes": data["duration_minutes"],
        "opens_at": data["opens_at"],
        "closes_at": data["closes_at"],
        "sources": list(data["sources"]),
        "exercises": _freeze(team=team, sources=list(data["sources"]), languages=list(data["languages"])),
    }


@transaction.atomic
def assessment_create(*, team: Team, by, data: dict) -> Assessment:
    """A new assessment of ``team`` with its version 1.

    ``data``: title, instructions, languages, duration_minutes, opens_at,
    closes_at, sources (``catalogue:<id>`` / ``team:<id>``).
    """
    _check_team(team)
    fields = _version_fields(team=team, data=data)
    assessment = Assessment.objects.create(team=team, created_by=by)
    AssessmentVersion.objects.create(assessment=assessment, number=1, created_by=by, **fields)
    logger.info("assessment.created assessment=%s team=%s", assessment.id, team.id)
    return assessment


@transaction.atomic
def assessment_update(*, assessment: Assessment, by, data: dict) -> AssessmentVersion:
    """Edit the assessment: in place while nobody started its latest version, else as a new version."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    fields = _version_fields(team=assessment.team, data=data)
    latest = selectors.latest_version(assessment=assessment)
    if latest.attempts.exists():
        version = AssessmentVersion.objects.create(
            assessment=assessment, number=latest.number + 1, created_by=by, **fields
        )
        logger.info("assessment.versioned assessment=%s version=%s", assessment.id, version.number)
    else:
        for name, value in fields.items():
            setattr(latest, name, value)
        latest.save()
        version = latest
    # Pending links follow the window of the version they will start on.
    assessment.invitations.filter(status=Invitation.Status.INVITED).update(expires_at=version.closes_at)
    return version


# --- invitations -----------------------------------------------------------------------


def _team_language(team: Team) -> str:
    return team.captain.preferred_language or "en"


def _send(invitation: Invitation, token: str, *, kind: str) -> None:
    version = selectors.latest_version(assessment=invitation.assessment)
    mail_request(
        kind=kind,
        to=invitation.email,
        language=_team_language(invitation.assessment.team),
        context={
            "candidate_name": invitation.name[:200],
            "assessment_title": version.title[:200],
            "team_name": invitation.assessment.team.name[:200],
            "duration_minutes": version.duration_minutes,
            "expires_on": invitation.expires_at.date().isoformat(),
            "start_url": site_url(f"/assessment/start/{token}"),
        },
    )


def _check_invitable(assessment: Assessment) -> AssessmentVersion:
    version = selectors.latest_version(assessment=assessment)
    if version.closes_at <= timezone.now():
        raise ServiceError(_("The assessment is closed: change its closing time to invite."), field="email")
    return version


def _invite(*, assessment: Assessment, version: AssessmentVersion, by, name: str, email: str) -> Invitation:
    token, hashed = token_new()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                assessment=assessment,
                name=name.strip(),
                email=email.strip(),
                token_hash=hashed,
                expires_at=version.closes_at,
                invited_by=by,
                sent_at=timezone.now(),
            )
    except IntegrityError:
        raise ServiceError(
            _("%(email)s is already invited to this assessment.") % {"email": email}, field="email"
        ) from None
    _send(invitation, token, kind=MailKind.ASSESSMENT_INVITATION)
    return invitation


@transaction.atomic
def invitation_create(*, assessment: Assessment, by, name: str, email: str) -> Invitation:
    """Invite one candidate and mail them their link (after the commit)."""
    version = _check_invitable(assessment)
    if not name.strip():
        raise ServiceError(_("Give the candidate's name."), field="name")
    invitation = _invite(assessment=assessment, version=version, by=by, name=name, email=email)
    logger.info("assessment.invited assessment=%s invitation=%s", assessment.id, invitation.id)
    return invitation


@transaction.atomic
def invitations_import(*, assessment: Assessment, by, data: bytes) -> list[Invitation]:
    """Invite every candidate of a ``name,email`` CSV, or none.

    Raises ``csv_import.CsvRefused`` / ``csv_import.CsvRowErrors`` (rows by
    line, including addresses already invited).
    """
    version = _check_invitable(assessment)
    candidates = csv_import.parse_candidates(data)
    taken = {
        e.lower()
        for e in assessment.invitations.exclude(status=Invitation.Status.REVOKED)
        .filter(erased_at__isnull=True)
        .values_list("email", flat=True)
    }
    errors = [
        (c.line, _("%(email)s is already invited to this assessment") % {"email": c.email})
        for c in candidates
        if c.email.lower() in taken
    ]
    if errors:
        raise csv_import.CsvRowErrors(errors)
    invitations = [
        _invite(assessment=assessment, version=version, by=by, name=c.name, email=c.email) for c in candidates
    ]
    logger.info("assessment.imported assessment=%s count=%s", assessment.id, len(invitations))
    return invitations


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Withdraw a candidate's link; an attempt in progress can no longer be reached."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status in (Invitation.Status.SUBMITTED, Invitation.Status.REVOKED):
        raise Conflict(_("This candidate has already finished or been revoked."), field="invitation")
    invitation.status = Invitation.Status.REVOKED
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["status", "revoked_at"])
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, reminder: bool = False) -> Invitation:
    """Mail a fresh link (the previous one stops working); only before the candidate starts."""
    invitation = (
        Invitation.objects.select_for_update().select_related("assessment__team").get(pk=invitation.pk)
    )
    if invitation.status != Invitation.Status.INVITED:
        raise Conflict(_("Only a candidate who has not started can get the link again."), field="invitation")
    version = _check_invitable(invitation.assessment)
    token, invitation.token_hash = token_new()
    invitation.expires_at = version.closes_at
    now = timezone.now()
    if reminder:
        invitation.reminded_at = now
    else:
        invitation.sent_at = now
    invitation.save(update_fields=["token_hash", "expires_at", "sent_at", "reminded_at"])
    kind = MailKind.ASSESSMENT_REMINDER if reminder else MailKind.ASSESSMENT_INVITATION
    _send(invitation, token, kind=kind)
    return invitation


def invitations_remind(*, before: timedelta = REMIND_BEFORE) -> int:
    """Remind, once, every candidate not started whose link expires within ``before`` (periodic job)."""
    now = timezone.now()
    due = Invitation.objects.filter(
        status=Invitation.Status.INVITED,
        reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + before,
    )
    reminded = 0
    for invitation in due:
        try:
            invitation_resend(invitation=invitation, reminder=True)
        except ServiceError:
            continue
        reminded += 1
    return reminded


# --- the candidate's attempt -----------------------------------------------------------


class LinkRefused(ServiceError):
    """The link cannot start an attempt; ``reason`` names why (for the page to say)."""

    status = 404

    def __init__(self, reason: str):
        super().__init__(reason, code=reason)
        self.reason = reason


def link_refusal(invitation: Invitation | None) -> str:
    """Why this link cannot start: ``forged``, ``revoked``, ``used``, ``expired``, ``not_open``, or ``""``."""
    if invitation is None or invitation.erased_at:
        return "forged"
    state = selectors.invitation_state(invitation)
    if state == "revoked":
        return "revoked"
    if state in ("started", "submitted"):
        return "used"
    if state == "expired":
        return "expired"
    if selectors.latest_version(assessment=invitation.assessment).opens_at > timezone.now():
        return "not_open"
    return ""


@transaction.atomic
def attempt_start(*, token: str) -> tuple[Attempt, str]:
    """Consume the link and start the clock; returns the attempt and the key for the candidate's cookie."""
    found = selectors.invitation_by_token(token=token)
    invitation = Invitation.objects.select_for_update().filter(pk=found.pk).first() if found else None
    refusal = link_refusal(invitation)
    if refusal:
        raise LinkRefused(refusal)
    version = selectors.latest_version(assessment=invitation.assessment)
    key, key_hash = token_new()
    now = timezone.now()
    attempt = Attempt.objects.create(
        invitation=invitation,
        version=version,
        key_hash=key_hash,
        started_at=now,
        deadline=now + timedelta(minutes=version.duration_minutes),
    )
    invitation.status = Invitation.Status.STARTED
    invitation.save(update_fields=["status"])
    logger.info("assessment.started attempt=%s version=%s", attempt.id, version.id)
    return attempt, key


def _check_open(attempt: Attempt, *, at) -> None:
    if attempt.finished_at is not None:
        raise AttemptClosed(_("This assessment is finished: nothing more can be sent."))
    if at >= attempt.deadline:
        raise AttemptClosed(_("Time is up: the assessment ended at its deadline, so this was not accepted."))


def exercise_of(attempt: Attempt, index: int) -> dict:
    if not 0 <= index < len(attempt.version.exercises):
        raise NotFound(_("This exercise is not part of the assessment."))
    return attempt.version.exercises[index]


def _check_code(*, exercise: dict, language: str, code: str) -> None:
    if language not in exercise["starters"]:
        raise ServiceError(_("This exercise cannot be solved in that language."), field="language")
    if len(code.encode("utf-8", "replace")) > MAX_CODE_BYTES:
        raise ServiceError(
            _("Your code is too long: at most %(limit)s KiB.") % {"limit": MAX_CODE_BYTES // 1024},
            field="code",
        )


@transaction.atomic
def answer_save(
    *, attempt: Attempt, index: int, language: str, code: str, kind: str = Snapshot.Kind.AUTOSAVE
):
    """Keep ``code`` as the answer (what the deadline submits) and as a snapshot if it changed."""
    now = timezone.now()
    attempt = Attempt.objects.select_for_update().select_related("version").get(pk=attempt.pk)
    _check_open(attempt, at=now)
    exercise = exercise_of(attempt, index)
    _check_code(exercise=exercise, language=language, code=code)
    answer = Answer.objects.filter(attempt=attempt, exercise_index=index).first()
    if answer is None:
        answer = Answer.objects.create(
            attempt=attempt,
            exercise_index=index,
            language=language,
            code=code,
            saved_at=now,
            first_saved_at=now,
        )
    else:
        answer.language, answer.code, answer.saved_at = language, code, now
        answer.save(update_fields=["language", "code", "saved_at"])
    last = answer.snapshots.order_by("-taken_at", "-id").first()
    if last is None or last.code != code or last.language != language or kind != Snapshot.Kind.AUTOSAVE:
        Snapshot.objects.create(answer=answer, kind=kind, language=language, code=code, taken_at=now)
    return answer


def answer_run(*, attempt: Attempt, index: int, language: str, code: str) -> judging.Judgement:
    """Save, then run on the exercise's public tests (nothing recorded but the snapshot)."""
    answer_save(attempt=attempt, index=index, language=language, code=code, kind=Snapshot.Kind.RUN)
    exercise = exercise_of(attempt, index)
    if not any(not t.get("hidden") for t in exercise["tests"]):
        raise Conflict(_("This exercise has no public test to run: submit it instead."), field="code")
    return judging.judge(exercise=exercise, language=language, code=code, hidden_too=False)


def answer_submit(*, attempt: Attempt, index: int, language: str, code: str) -> Answer:
    """Save and judge on every test; the deadline is checked when the request arrives."""
    answer = answer_save(
        attempt=attempt, index=index, language=language, code=code, kind=Snapshot.Kind.SUBMIT
    )
    judgement = judging.judge(
        exercise=exercise_of(attempt, index), language=language, code=code, hidden_too=True
    )
    return _answer_record(answer_id=answer.id, language=language, code=code, judgement=judgement)


@transaction.atomic
def _answer_record(*, answer_id: int, language: str, code: str, judgement: judging.Judgement) -> Answer:
    answer = Answer.objects.select_for_update().get(pk=answer_id)
    answer.judged_code, answer.judged_language, answer.judged_at = code, language, timezone.now()
    answer.tests_passed, answer.tests_total = judgement.passed, judgement.total
    answer.verdicts = [v.public() for v in judgement.verdicts]
    answer.save()
    return answer


def attempt_finish(*, attempt: Attempt, ended_by: str = Attempt.Ending.CANDIDATE) -> Attempt:
    """Judge every answer not judged as it stands, then score the attempt (once)."""
    if attempt.finished_at is not None:
        return attempt
    if ended_by == Attempt.Ending.CANDIDATE and timezone.now() >= attempt.deadline:
        ended_by = Attempt.Ending.DEADLINE
    for answer in attempt.answers.all():
        if answer.is_judged:
            continue
        exercise = exercise_of(attempt, answer.exercise_index)
        if ended_by == Attempt.Ending.DEADLINE:
            with transaction.atomic():
                Snapshot.objects.create(
                    answer=answer,
                    kind=Snapshot.Kind.DEADLINE,
                    language=answer.language,
                    code=answer.code,
                    taken_at=attempt.deadline,
                )
        try:
            judgement = judging.judge(
                exercise=exercise, language=answer.language, code=answer.code, hidden_too=True
            )
        except ServiceError as error:
            if error.status == 503:
                raise
            logger.warning("assessment.answer_unjudgeable answer=%s", answer.id)
            continue
        _answer_record(answer_id=answer.id, language=answer.language, code=answer.code, judgement=judgement)
    return _attempt_score(attempt_id=attempt.id, ended_by=ended_by)


@transaction.atomic
def _attempt_score(*, attempt_id: int, ended_by: str) -> Attempt:
    attempt = Attempt.objects.select_for_update().select_related("version", "invitation").get(pk=attempt_id)
    if attempt.finished_at is not None:
        return attempt
    answers = selectors.answers_by_index(attempt=attempt)
    percents, passed, total = [], 0, 0
    for index, exercise in enumerate(attempt.version.exercises):
        answer = answers.get(index)
        count = len(exercise["tests"])
        got = answer.tests_passed if answer and answer.is_judged else 0
        passed, total = passed + got, total + count
        percents.append(got * 100 // count if count else 0)
    attempt.tests_passed, attempt.tests_total = passed, total
    attempt.score_percent = sum(percents) // len(percents) if percents else 0
    attempt.finished_at = min(timezone.now(), attempt.deadline)
    attempt.ended_by = ended_by
    attempt.save()
    invitation = attempt.invitation
    if invitation.status == Invitation.Status.STARTED:
        invitation.status = Invitation.Status.SUBMITTED
        invitation.save(update_fields=["status"])
    logger.info("assessment.scored attempt=%s score=%s by=%s", attempt.id, attempt.score_percent, ended_by)
    return attempt


def attempt_close_if_expired(*, attempt: Attempt) -> Attempt:
    """Submit the last saved code of an attempt whose deadline passed; otherwise nothing."""
    if attempt.finished_at is None and timezone.now() >= attempt.deadline:
        return attempt_finish(attempt=attempt, ended_by=Attempt.Ending.DEADLINE)
    return attempt


def attempts_close_expired(*, limit: int = 100) -> int:
    """Close every expired open attempt (the periodic job); returns how many were closed."""
    closed = 0
    expired = Attempt.objects.filter(finished_at__isnull=True, deadline__lte=timezone.now()).select_related(
        "version"
    )
    for attempt in expired.order_by("deadline")[:limit]:
        attempt_close_if_expired(attempt=attempt)
        closed += 1
    return closed


#: Bounds of one report of integrity signals (a browser sends one every few seconds).
MAX_SIGNAL_PASTES = 200
MAX_SIGNAL_SECONDS = 24 * 3600


@transaction.atomic
def signals_record(*, attempt: Attempt, pastes: list[int], leaves: int, away_seconds: int) -> Attempt:
    """Add what the candidate's browser reported: paste sizes, tab leaves and time away."""
    if len(pastes) > MAX_SIGNAL_PASTES or any(p < 0 for p in pastes):
        raise ServiceError(_("Too many or invalid pastes in one report."), field="pastes")
    if not 0 <= leaves <= 1000:
        raise ServiceError(_("Invalid number of tab leaves."), field="leaves")
    if not 0 <= away_seconds <= MAX_SIGNAL_SECONDS:
        raise ServiceError(_("Invalid time away."), field="away_seconds")
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.finished_at is not None:
        raise AttemptClosed(_("This assessment is finished: nothing more can be sent."))
    attempt.paste_count += len(pastes)
    attempt.paste_chars_total += sum(pastes)
    attempt.paste_chars_max = max([attempt.paste_chars_max, *pastes])
    attempt.tab_leaves += leaves
    attempt.tab_away_seconds += away_seconds
    attempt.save(
        update_fields=[
            "paste_count",
            "paste_chars_total",
            "paste_chars_max",
            "tab_leaves",
            "tab_away_seconds",
        ]
    )
    return attempt


def attempts_anonymise_expired(*, days: int | None = None) -> int:
    """Erase the candidates of attempts finished more than the retention period ago (periodic job)."""
    days = settings.INTERVIEWS_RETENTION_DAYS if days is None else days
    due = Invitation.objects.filter(
        erased_at__isnull=True, attempt__finished_at__lte=timezone.now() - timedelta(days=days)
    )
    erased = 0
    for invitation in due:
        candidate_erase(invitation=invitation)
        erased += 1
    return erased


@transaction.atomic
def candidate_erase(*, invitation: Invitation) -> Invitation:
    """Delete a candidate's personal data on request: name, address, code; the scores stay, anonymous."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    attempt = getattr(invitation, "attempt", None)
    if attempt is not None and attempt.is_open:
        raise Conflict(
            _("The candidate is taking the assessment: erase once it has ended."), field="invitation"
        )
    if invitation.status == Invitation.Status.INVITED:
        invitation.status = Invitation.Status.REVOKED
        invitation.revoked_at = timezone.now()
    invitation.name = _("Erased candidate")
    invitation.email = f"erased-{invitation.pk}@invalid.example"
    invitation.erased_at = timezone.now()
    invitation.save()
    if attempt is not None:
        Snapshot.objects.filter(answer__attempt=attempt).delete()
        attempt.answers.update(code="", judged_code="")
    return invitation
