"""The exam pages: an exam's rules and attempts, the timed workspace, the timer, the result.

The workspace uses the exercise page's editor, form and run fragments; an
exam adds Save (the code the deadline submits) and Submit judges on every
test, showing only how many passed. Every post is checked against the
attempt's deadline by the server; the timer fragment is polled by htmx and
sends the browser to the result once the server says time is up.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.errors import NotFound, ServiceError, Unavailable
from monolith.certificates import selectors, services
from monolith.certificates.models import ExamAttempt
from monolith.learning import services as learning
from monolith.learning.pages.exercise import VERDICTS, ExerciseCodeForm
from monolith.learning.rendering import markdown_to_html
from monolith.web.decorators import login_required

FIELDS = ("language", "code", "stdin")
#: How often the timer asks the server for the time left, in seconds.
TIMER_POLL_SECONDS = 15


def _get(selector, **kwargs):
    try:
        return selector(**kwargs)
    except NotFound as error:
        raise Http404(error.message) from error


def _attempt(request, pk: int) -> ExamAttempt:
    """The learner's attempt, graded first if its time ran out (left open if no runner answers)."""
    return _closed_if_expired(_get(selectors.attempt_get, user=request.user, pk=pk))


def _closed_if_expired(attempt: ExamAttempt) -> ExamAttempt:
    try:
        return services.attempt_close_if_expired(attempt=attempt)
    except Unavailable:
        return attempt


def _time_is_up(attempt: ExamAttempt) -> bool:
    return not attempt.is_open or timezone.now() >= attempt.deadline


def _attempt_url(attempt: ExamAttempt, exercise_id: int | None = None) -> str:
    url = f"/exams/attempts/{attempt.id}/"
    return f"{url}?exercise={exercise_id}" if exercise_id else url


@login_required
@require_GET
def exam_home(request, module_id: int):
    exam = _get(selectors.exam_get, user=request.user, module_id=module_id)
    attempts = list(selectors.attempt_list(user=request.user, exam=exam))
    attempts = [_closed_if_expired(attempt) for attempt in attempts]
    current = next((a for a in attempts if a.is_open), None)
    certificate = selectors.certificate_list(user=request.user).filter(exam=exam).first()
    return render(
        request,
        "certificates/exam.html",
        {
            "nav": "learn",
            "exam": exam,
            "module": exam.module,
            "description_html": markdown_to_html(exam.module.description),
            "exercise_count": len(selectors.exam_exercises(exam=exam)),
            "attempts": attempts,
            "current": current,
            "certificate": certificate,
            "attempts_left": selectors.attempts_left(user=request.user, exam=exam),
            "refusal": ""
            if current or certificate
            else selectors.exam_start_refusal(user=request.user, exam=exam),
        },
    )


@login_required
@require_POST
def exam_start(request, module_id: int):
    exam = _get(selectors.exam_get, user=request.user, module_id=module_id)
    try:
        attempt = services.exam_start(user=request.user, exam=exam)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(f"/exams/{module_id}/")
    return redirect(_attempt_url(attempt))


def _timer_context(attempt: ExamAttempt) -> dict:
    left = max(int((attempt.deadline - timezone.now()).total_seconds()), 0)
    return {
        "attempt": attempt,
        "seconds_left": left,
        "minutes_left": (left + 59) // 60,
        "poll_seconds": TIMER_POLL_SECONDS,
        "ending_soon": left <= 5 * 60,
    }


def _workspace(request, attempt: ExamAttempt, exercise_id: int | None, *, form=None) -> dict:
    exercises = selectors.exam_exercises(exam=attempt.exam)
    if not exercises:
        raise Http404("This exam has no exercises.")
    exercise = next((e for e in exercises if e.id == exercise_id), exercises[0])
    answers = {a.exercise_id: a for a in attempt.answers.all()}
    answer = answers.get(exercise.id)
    settings_by_language = {s.language: s for s in exercise.editor_settings.all()}
    starters = {language: s.starter_code for language, s in settings_by_language.items()}
    if form is not None:
        language = form.data.get("language") if form.data.get("language") in settings_by_language else ""
        code, stdin = form.data.get("code", ""), form.data.get("stdin", "")
    else:
        language, code, stdin = (answer.language, answer.code, "") if answer else ("", "", "")
    if not language:
        preferred = getattr(request.user, "preferred_editing_language", "")
        language = preferred if preferred in settings_by_language else next(iter(settings_by_language), "")
    if not code and form is None:
        code = starters.get(language, "")
    return {
        "nav": "learn",
        "attempt": attempt,
        "exam": attempt.exam,
        "exercises": [
            {"exercise": e, "answer": answers.get(e.id), "current": e.id == exercise.id} for e in exercises
        ],
        "exercise": exercise,
        "answer": answer,
        "statement_html": markdown_to_html(exercise.body),
        "languages": [
            {
                "value": lang,
                "label": s.get_language_display(),
                "version": s.version,
                "selected": lang == language,
            }
            for lang, s in settings_by_language.items()
        ],
        "language": language,
        "code": code,
        "stdin": stdin,
        "starters": starters,
        "draft_key": f"exam-{attempt.id}-{exercise.id}",
        "saved_at": answer.saved_at.isoformat() if answer and answer.code == code else "",
        "editor_theme": getattr(request.user, "editor_theme", "light"),
        "editor_keymap": getattr(request.user, "editor_keymap", "default"),
        "action_base": f"/exams/attempts/{attempt.id}/exercises/{exercise.id}",
        "errors": {name: form.errors.get(name, []) for name in FIELDS} if form is not None else {},
        "non_field_errors": form.non_field_errors() if form is not None else [],
        **_timer_context(attempt),
    }


@login_required
@require_GET
def attempt_page(request, pk: int):
    attempt = _attempt(request, pk)
    if _time_is_up(attempt):
        certificate = getattr(attempt, "certificate", None) if attempt.passed else None
        return render(
            request,
            "certificates/attempt_result.html",
            {"nav": "learn", "attempt": attempt, "exam": attempt.exam, "certificate": certificate},
            # Still open past its deadline: grading waits for the runner (the page says so).
            status=503 if attempt.is_open else 200,
        )
    try:
        exercise_id = int(request.GET.get("exercise", "0"))
    except ValueError:
        exercise_id = 0
    return render(request, "certificates/attempt.html", _workspace(request, attempt, exercise_id))


@login_required
@require_GET
def attempt_timer(request, pk: int):
    attempt = _attempt(request, pk)
    if _time_is_up(attempt):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = _attempt_url(attempt)
        return response
    return render(request, "certificates/partials/timer.html", _timer_context(attempt))


@login_required
@require_POST
def attempt_finish(request, pk: int):
    attempt = _get(selectors.attempt_get, user=request.user, pk=pk)
    try:
        services.attempt_finish(attempt=attempt)
    except Unavailable:
        messages.error(request, _unavailable_message())
    return redirect(_attempt_url(attempt))


def _unavailable_message() -> str:
    return _("The code runner is not available right now: your answers are saved. Try again in a moment.")


def _answer(request, attempt, exercise_id, form, template: str, context: dict, *, status: int = 200):
    """The fragment for htmx (fields' errors out of band), else the whole workspace."""
    errors = {name: form.errors.get(name, []) for name in FIELDS}
    context = {
        **context,
        "errors": errors,
        "non_field_errors": form.non_field_errors(),
        "action": request.path,
    }
    if request.htmx:
        response = render(request, template, context, status=status)
    else:
        page = {
            **_workspace(request, attempt, exercise_id, form=form),
            **context,
            "result_template": template,
        }
        response = render(request, "certificates/attempt.html", page, status=status)
    if context.get("retry_after"):
        response["Retry-After"] = str(context["retry_after"])
    return response


def _posted(request, pk: int, exercise_id: int, template: str, act):
    attempt = _get(selectors.attempt_get, user=request.user, pk=pk)
    exercise = next((e for e in selectors.exam_exercises(exam=attempt.exam) if e.id == exercise_id), None)
    if exercise is None:
        raise Http404("This exercise is not part of the exam.")
    form = ExerciseCodeForm(request.POST, exercise=exercise)
    if not form.is_valid():
        return _answer(
            request, attempt, exercise_id, form, "learning/partials/run_errors.html", {}, status=400
        )
    try:
        context = act(attempt, exercise, form.cleaned_data)
    except services.ExamClosed as error:
        context = {"message": error.message, "result_url": _attempt_url(attempt)}
        return _answer(
            request, attempt, exercise_id, form, "certificates/partials/closed.html", context, status=409
        )
    except Unavailable as error:
        context = {"retry_after": error.retry_after}
        template = "learning/partials/run_unavailable.html"
        return _answer(request, attempt, exercise_id, form, template, context, status=503)
    except ServiceError as error:
        form.add_error(error.field if error.field in FIELDS else None, error.message)
        template = "learning/partials/run_errors.html"
        return _answer(request, attempt, exercise_id, form, template, {}, status=error.status)
    return _answer(request, attempt, exercise_id, form, template, context)


@login_required
@require_POST
def answer_save(request, pk: int, exercise_id: int):
    def act(attempt, exercise, data):
        answer = services.answer_save(
            attempt=attempt, exercise=exercise, language=data["language"], code=data["code"]
        )
        return {"answer": answer, "saved": True}

    return _posted(request, pk, exercise_id, "certificates/partials/answer_status.html", act)


@login_required
@require_POST
def answer_run(request, pk: int, exercise_id: int):
    def act(attempt, exercise, data):
        # Running keeps the code as the answer too: the deadline submits what was last sent.
        services.answer_save(attempt=attempt, exercise=exercise, language=data["language"], code=data["code"])
        run = learning.exercise_run_input(
            user=request.user,
            exercise=exercise,
            language=data["language"],
            code=data["code"],
            stdin=data["stdin"],
        )
        return {
            "run": run,
            "verdict_label": VERDICTS.get(run.verdict, run.verdict),
            "memory_mb": None if run.memory_kb is None else round(run.memory_kb / 1024, 1),
        }

    return _posted(request, pk, exercise_id, "learning/partials/run_result.html", act)


@login_required
@require_POST
def answer_submit(request, pk: int, exercise_id: int):
    def act(attempt, exercise, data):
        answer = services.answer_submit(
            attempt=attempt, exercise=exercise, language=data["language"], code=data["code"]
        )
        return {"answer": answer, "judged": True}

    return _posted(request, pk, exercise_id, "certificates/partials/answer_status.html", act)
