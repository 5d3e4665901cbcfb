"""The candidate's pages: the start page behind the mailed link, the timed attempt, its end.

A candidate has no account. The link's token is good for one start; starting
sets a cookie holding the attempt's key (path ``/assessment/``, HttpOnly), and
every later request finds the attempt by its public id *and* that key: without
the key there is nothing (404), so no candidate reaches another's attempt.

The attempt page reuses the exercise page's editor and fragments; every post
is checked against the deadline by the server. ``attempt.js`` autosaves the
code every few seconds (a snapshot when it changed) and reports the integrity
signals the start page announced.
"""

import contextlib

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import NotFound, ServiceError, Unavailable
from monolith.interviews import selectors, services
from monolith.interviews.models import Attempt, Invitation
from monolith.interviews.pages.forms_candidate import AnswerForm, SignalsForm
from monolith.learning.pages.exercise import VERDICTS
from monolith.learning.rendering import markdown_to_html

FIELDS = ("language", "code")
TIMER_POLL_SECONDS = 15
#: How often the browser autosaves, in seconds.
AUTOSAVE_SECONDS = 5


def cookie_name(attempt: Attempt) -> str:
    return f"assessment-{attempt.public_id.hex}"


def _attempt_url(attempt: Attempt, index: int | None = None) -> str:
    url = f"/assessment/{attempt.public_id}/"
    return f"{url}?exercise={index}" if index else url


def _attempt(request, public_id) -> Attempt:
    try:
        attempt = selectors.attempt_for_candidate(
            public_id=public_id, key=request.COOKIES.get(f"assessment-{public_id.hex}")
        )
    except NotFound as error:
        raise Http404(error.message) from error
    return services.attempt_close_if_expired(attempt=attempt)


#: How each refused link answers: nothing behind a forged one, gone for the others.
LINK_STATUS = {"forged": 404, "revoked": 410, "expired": 410, "used": 410, "not_open": 409}


def _link_page(request, reason: str, invitation: Invitation | None = None):
    context = {"reason": reason, "invitation": invitation if reason != "forged" else None}
    return render(request, "interviews/link_refused.html", context, status=LINK_STATUS[reason])


@require_http_methods(["GET", "POST"])
def start(request, token: str):
    invitation = selectors.invitation_by_token(token=token)
    refusal = services.link_refusal(invitation)
    if refusal == "used":
        attempt = getattr(invitation, "attempt", None)
        # The same browser coming back through the link goes on with its attempt.
        if attempt and request.COOKIES.get(cookie_name(attempt)):
            return redirect(_attempt_url(attempt))
    if refusal:
        return _link_page(request, refusal, invitation)
    version = selectors.latest_version(assessment=invitation.assessment)
    if request.method == "POST":
        try:
            attempt, key = services.attempt_start(token=token)
        except services.LinkRefused as error:
            return _link_page(request, error.reason, invitation)
        response = redirect(_attempt_url(attempt))
        response.set_cookie(
            cookie_name(attempt),
            key,
            max_age=int((attempt.deadline - timezone.now()).total_seconds()) + 7 * 24 * 3600,
            path="/assessment/",
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return response
    return render(
        request,
        "interviews/start.html",
        {
            "invitation": invitation,
            "team": invitation.assessment.team,
            "version": version,
            "instructions_html": markdown_to_html(version.instructions),
            "exercise_count": len(version.exercises),
        },
    )


def _timer_context(attempt: Attempt) -> dict:
    left = max(int((attempt.deadline - timezone.now()).total_seconds()), 0)
    return {
        "attempt": attempt,
        "seconds_left": left,
        "minutes_left": (left + 59) // 60,
        "poll_seconds": TIMER_POLL_SECONDS,
        "ending_soon": left <= 5 * 60,
    }


def _index(request) -> int:
    try:
        return int(request.GET.get("exercise", "0"))
    except ValueError:
        return 0


def _workspace(request, attempt: Attempt, index: int, *, form=None) -> dict:
    exercises = attempt.version.exercises
    index = index if 0 <= index < len(exercises) else 0
    exercise = exercises[index]
    answers = selectors.answers_by_index(attempt=attempt)
    answer = answers.get(index)
    starters = exercise["starters"]
    if form is not None:
        language = form.data.get("language") if form.data.get("language") in starters else ""
        code = form.data.get("code", "")
    else:
        language, code = (answer.language, answer.code) if answer else ("", "")
    language = language or next(iter(starters))
    if not code and form is None:
        code = starters.get(language, "")
    public_tests = [t for t in exercise["tests"] if not t.get("hidden")]
    return {
        "attempt": attempt,
        "version": attempt.version,
        "team": attempt.invitation.assessment.team,
        "exercises": [
            {"index": i, "title": e["title"], "answer": answers.get(i), "current": i == index}
            for i, e in enumerate(exercises)
        ],
        "index": index,
        "exercise": exercise,
        "answer": answer,
        "statement_html": markdown_to_html(exercise["statement"]),
        "instructions_html": markdown_to_html(attempt.version.instructions),
        "public_tests": public_tests,
        "hidden_count": len(exercise["tests"]) - len(public_tests),
        "languages": [{"value": lang, "selected": lang == language} for lang in starters],
        "language": language,
        "code": code,
        "starters": starters,
        "draft_key": f"assessment-{attempt.public_id}-{index}",
        "saved_at": answer.saved_at.isoformat() if answer and answer.code == code else "",
        "action_base": f"/assessment/{attempt.public_id}/exercises/{index}",
        "autosave_seconds": AUTOSAVE_SECONDS,
        "errors": {name: form.errors.get(name, []) for name in FIELDS} if form is not None else {},
        "non_field_errors": form.non_field_errors() if form is not None else [],
        **_timer_context(attempt),
    }


@require_GET
def attempt_page(request, public_id):
    attempt = _attempt(request, public_id)
    if not attempt.is_open:
        return render(
            request, "interviews/attempt_done.html", {"attempt": attempt, "version": attempt.version}
        )
    return render(request, "interviews/attempt.html", _workspace(request, attempt, _index(request)))


@require_GET
def attempt_timer(request, public_id):
    attempt = _attempt(request, public_id)
    if not attempt.is_open:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = _attempt_url(attempt)
        return response
    return render(request, "interviews/partials/timer.html", _timer_context(attempt))


@require_POST
def attempt_finish(request, public_id):
    attempt = _attempt(request, public_id)
    # Without a runner the answers stay saved; the deadline (or the next visit) judges them.
    with contextlib.suppress(Unavailable):
        services.attempt_finish(attempt=attempt)
    return redirect(_attempt_url(attempt))


def _answer(request, attempt, index, form, template: str, context: dict, *, status: int = 200):
    """The fragment for htmx and fetch (errors out of band), else the whole workspace."""
    context = {
        **context,
        "errors": {name: form.errors.get(name, []) for name in FIELDS},
        "non_field_errors": form.non_field_errors(),
        "action": request.path,
    }
    if request.htmx or request.headers.get("X-Autosave"):
        response = render(request, template, context, status=status)
    else:
        page = {**_workspace(request, attempt, index, form=form), **context, "result_template": template}
        response = render(request, "interviews/attempt.html", page, status=status)
    if context.get("retry_after"):
        response["Retry-After"] = str(context["retry_after"])
    return response


def _posted(request, public_id, index: int, template: str, act):
    attempt = _attempt(request, public_id)
    if not 0 <= index < len(attempt.version.exercises):
        raise Http404("This exercise is not part of the assessment.")
    exercise = attempt.version.exercises[index]
    form = AnswerForm(request.POST, languages=list(exercise["starters"]))
    if not form.is_valid():
        return _answer(request, attempt, index, form, "interviews/partials/errors.html", {}, status=400)
    try:
        context = act(attempt, form.cleaned_data)
    except services.AttemptClosed as error:
        context = {"message": error.message, "result_url": _attempt_url(attempt)}
        return _answer(request, attempt, index, form, "interviews/partials/closed.html", context, status=409)
    except Unavailable as error:
        context = {"retry_after": error.retry_after}
        return _answer(
            request, attempt, index, form, "learning/partials/run_unavailable.html", context, status=503
        )
    except ServiceError as error:
        form.add_error(error.field if error.field in FIELDS else None, error.message)
        return _answer(
            request, attempt, index, form, "interviews/partials/errors.html", {}, status=error.status
        )
    return _answer(request, attempt, index, form, template, context)


@require_POST
def answer_save(request, public_id, index: int):
    def act(attempt, data):
        answer = services.answer_save(
            attempt=attempt, index=index, language=data["language"], code=data["code"]
        )
        return {"answer": answer, "saved": True}

    return _posted(request, public_id, index, "interviews/partials/answer_status.html", act)


@require_POST
def answer_run(request, public_id, index: int):
    def act(attempt, data):
        judgement = services.answer_run(
            attempt=attempt, index=index, language=data["language"], code=data["code"]
        )
        return {
            "judgement": judgement,
            "verdicts": [
                {**vars(v), "label": VERDICTS.get(v.verdict, v.verdict)} for v in judgement.verdicts
            ],
        }

    return _posted(request, public_id, index, "interviews/partials/run_result.html", act)


@require_POST
def answer_submit(request, public_id, index: int):
    def act(attempt, data):
        answer = services.answer_submit(
            attempt=attempt, index=index, language=data["language"], code=data["code"]
        )
        return {"answer": answer, "judged": True}

    return _posted(request, public_id, index, "interviews/partials/answer_status.html", act)


@require_POST
def signals(request, public_id):
    """Integrity signals from the browser (JSON answers: the script reads them, no one sees them)."""
    attempt = _attempt(request, public_id)
    form = SignalsForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"fields": form.errors.get_json_data()}, status=400)
    try:
        services.signals_record(attempt=attempt, **form.cleaned_data)
    except ServiceError as error:
        return JsonResponse({"fields": {error.field: [error.message]}}, status=error.status)
    return HttpResponse(status=204)
