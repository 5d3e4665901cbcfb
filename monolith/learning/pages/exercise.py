"""The exercise page: statement, code editor, Run (on the learner's own input) and Submit.

Run and Submit are posted by htmx and answered with a fragment for the result
area (field errors go next to their fields by out-of-band swaps, so the editor
and what it holds stay untouched). Without JavaScript the same endpoints
answer with the whole page, the form filled with what was sent. The code is
never lost: the textarea is the form field, and the editor keeps drafts.

Views call the learning services the API calls (``exercise_run_input``,
``exercise_submit``), never the API itself.
"""

from django import forms
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from common.errors import NotFound, ServiceError, Unavailable
from monolith.accounts.services.wallet import wallet_balance
from monolith.learning import selectors, services
from monolith.learning.execution import Verdict
from monolith.learning.models import MAX_CODE_BYTES, Content
from monolith.learning.rendering import markdown_to_html
from monolith.web.decorators import login_url

#: Largest input a learner may type for a run (the runner accepts up to 1 MiB).
MAX_STDIN_BYTES = 64 * 1024
FIELDS = ("language", "code", "stdin")
STATEMENT_CACHE_SECONDS = 3600
#: Verdicts in words; ``completed`` is a run on the learner's own input that ended normally.
VERDICTS = {
    services.InputRun.COMPLETED: gettext_lazy("Ran to the end"),
    Verdict.ACCEPTED: gettext_lazy("Accepted"),
    Verdict.WRONG_ANSWER: gettext_lazy("Wrong answer"),
    Verdict.TIME_LIMIT: gettext_lazy("Time limit exceeded"),
    Verdict.MEMORY_LIMIT: gettext_lazy("Memory limit exceeded"),
    Verdict.OUTPUT_LIMIT: gettext_lazy("Too much output"),
    Verdict.RUNTIME_ERROR: gettext_lazy("Runtime error"),
    Verdict.COMPILE_ERROR: gettext_lazy("Compilation failed"),
    Verdict.INTERNAL_ERROR: gettext_lazy("The runner failed to judge this run"),
}


class ExerciseCodeForm(forms.Form):
    """What Run and Submit send: the language (one the exercise offers), the code, the input."""

    language = forms.ChoiceField(label=pgettext_lazy("programming language", "Language"))
    code = forms.CharField(
        label=gettext_lazy("Your code"),
        strip=False,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Write some code first.")},
    )
    stdin = forms.CharField(
        label=gettext_lazy("Input (stdin)"), strip=False, required=False, widget=forms.Textarea
    )

    def __init__(self, *args, exercise: Content, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            (s.language, s.get_language_display()) for s in exercise.editor_settings.all()
        ]
        names = ", ".join(label for _value, label in self.fields["language"].choices)
        self.fields["language"].error_messages["invalid_choice"] = _(
            "This exercise cannot be solved in that language; choose one of: %(languages)s."
        ) % {"languages": names}

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if len(code.encode("utf-8", "replace")) > MAX_CODE_BYTES:
            raise forms.ValidationError(
                _("Your code is too long: at most %(limit)s KiB.") % {"limit": MAX_CODE_BYTES // 1024}
            )
        return code

    def clean_stdin(self) -> str:
        stdin = self.cleaned_data["stdin"].replace("\r\n", "\n")
        if len(stdin.encode("utf-8", "replace")) > MAX_STDIN_BYTES:
            raise forms.ValidationError(
                _("The input is too long: at most %(limit)s KiB.") % {"limit": MAX_STDIN_BYTES // 1024}
            )
        return stdin


def hint_messages() -> dict[str, str]:
    """The sentences hints.js shows, translated; ``%(name)s`` marks what it fills in."""
    return {
        "points_one": _("%(n)s point"),
        "points_other": _("%(n)s points"),
        "stock_left": _("%(stock)s left"),
        "sold_out": _("Sold out"),
        "buy_label": _("Buy “%(title)s” for %(cost)s"),
        "checking": _("Checking your balance…"),
        "confirm": _("Buy “%(title)s” for %(cost)s? Your balance is %(balance)s; %(after)s will be left."),
        "confirm_unknown_balance": _("Buy “%(title)s” for %(cost)s?"),
        "not_enough": _(
            "“%(title)s” costs %(cost)s and your balance is %(balance)s: solve exercises to earn more points."
        ),
        "placing": _("Placing your order…"),
        "pending": _("Order placed: waiting for the payment to go through…"),
        "still_pending": _(
            "Your order is still being processed; it will show as bought once it completes. "
            "Reload the page in a moment."
        ),
        "bought": _("You bought “%(title)s”: the hint is shown below it."),
        "bought_validator": _("You bought “%(title)s”: the hidden test is unlocked."),
        "validator_owned": _("Unlocked: this hidden test's input and expected output show in your results."),
        "insufficient_points": _("You do not have enough points for this hint; nothing was charged."),
        "out_of_stock": _("This hint is sold out; nothing was charged."),
        "item_inactive": _("This hint is no longer sold."),
        "item_not_found": _("This hint is no longer available."),
        "timed_out": _("The payment did not go through in time; nothing was charged. Try again."),
        "failed": _("The purchase failed; nothing was charged. Try again."),
        "shop_unavailable": _(
            "The shop is not reachable right now; nothing was bought. Try again in a moment."
        ),
        "purchases_paused": _(
            "Purchases are paused for a few seconds while the shop is being moved; nothing was bought. "
            "Try again shortly."
        ),
        "network": _("PolyCode could not be reached: check your connection and try again."),
        "unauthenticated": _("Your session has ended: reload the page and log in again."),
        "load_failed": _("The hints could not be loaded. Reload the page to try again."),
        "generic": _("The purchase did not go through: %(detail)s"),
    }


def _exercise(request, pk: int) -> Content:
    try:
        return selectors.exercise_get(user=request.user, exercise_id=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _statement_html(exercise: Content) -> str:
    """The statement as HTML, rendered once per version of the exercise.

    Rendering Markdown was a fifth of the page's time; ``updated_at`` in the key
    makes an edited statement show at once.
    """
    key = f"learning:statement:{exercise.id}:{exercise.updated_at.timestamp()}"
    return cache.get_or_set(key, lambda: markdown_to_html(exercise.body), timeout=STATEMENT_CACHE_SECONDS)


def _opening_language(*, user, exercise: Content, attempts: dict) -> str:
    """The language the editor opens with: the last one tried, else the user's preference, else the first."""
    offered = [s.language for s in exercise.editor_settings.all()]
    if attempts:
        latest = max(attempts.values(), key=lambda s: (s.created_at, s.id))
        return latest.language
    preferred = getattr(user, "preferred_editing_language", "") if user.is_authenticated else ""
    return preferred if preferred in offered else (offered[0] if offered else "")


def _workspace(request, exercise: Content, *, form: ExerciseCodeForm | None = None) -> dict:
    """Everything the page needs; ``form`` is a bound form when a post is shown again (no JavaScript)."""
    user = request.user
    signed_in = user.is_authenticated
    attempts = selectors.exercise_last_attempts(user=user, exercise=exercise)
    settings_by_language = {s.language: s for s in exercise.editor_settings.all()}
    starters = {language: s.starter_code for language, s in settings_by_language.items()}
    if form is not None:
        # What was posted comes back as it was, even with an error (a language not offered: the opening one).
        posted = form.data.get("language")
        language = (
            posted
            if posted in settings_by_language
            else _opening_language(user=user, exercise=exercise, attempts=attempts)
        )
        code = form.data.get("code", "")
        stdin = form.data.get("stdin", "")
    else:
        language = _opening_language(user=user, exercise=exercise, attempts=attempts)
        attempt = attempts.get(language)
        code = attempt.code if attempt else starters.get(language, "")
        public = [v for v in exercise.validators.all() if not v.is_hidden]
        stdin = public[0].stdin_text if public else ""
    attempt = attempts.get(language)
    validators = list(exercise.validators.all())
    progress = selectors.exercise_progress_get(user=user, exercise=exercise) if signed_in else None
    return {
        "nav": "learn",
        "exercise": exercise,
        "statement_html": _statement_html(exercise),
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
        "last_attempt_at": attempt.created_at.isoformat() if attempt and code == attempt.code else "",
        "starters": starters,
        "draft_key": f"exercise-{exercise.id}",
        "attempts": {lang: {"code": s.code, "at": s.created_at.isoformat()} for lang, s in attempts.items()},
        "editor_theme": getattr(user, "editor_theme", "light") if signed_in else "light",
        "editor_keymap": getattr(user, "editor_keymap", "default") if signed_in else "default",
        "public_count": sum(1 for v in validators if not v.is_hidden),
        "hidden_count": sum(1 for v in validators if v.is_hidden),
        "progress": progress,
        "balance": wallet_balance(user=user) if signed_in else None,
        "hint_messages": hint_messages() if signed_in else {},
        "login_url": login_url(f"/learn/exercises/{exercise.id}/"),
        "form": form,
        "errors": {name: form.errors.get(name, []) for name in FIELDS} if form is not None else {},
        "non_field_errors": form.non_field_errors() if form is not None else [],
    }


@require_GET
def exercise_page(request, pk: int):
    exercise = _exercise(request, pk)
    return render(request, "learning/exercise.html", _workspace(request, exercise))


def _answer(request, exercise: Content, form, template: str, context: dict, *, status: int = 200):
    """The result fragment for htmx (with the fields' errors out of band), else the whole page."""
    errors = {name: form.errors.get(name, []) for name in FIELDS}
    context = {
        **context,
        "exercise": exercise,
        "errors": errors,
        "non_field_errors": form.non_field_errors(),
        "action": request.path,
    }
    if request.htmx:
        response = render(request, template, context, status=status)
    else:
        page = {**_workspace(request, exercise, form=form), **context, "result_template": template}
        response = render(request, "learning/exercise.html", page, status=status)
    if context.get("retry_after"):
        response["Retry-After"] = str(context["retry_after"])
    return response


def _posted(request, pk: int, template: str, act):
    """Validate the post, call ``act(exercise, data)``, and answer with its context or the error."""
    exercise = _exercise(request, pk)
    if not request.user.is_authenticated:
        url = login_url(f"/learn/exercises/{exercise.id}/")
        if request.htmx:
            return render(request, "learning/partials/run_login.html", {"login_url": url})
        return redirect(url)
    form = ExerciseCodeForm(request.POST, exercise=exercise)
    if not form.is_valid():
        return _answer(request, exercise, form, "learning/partials/run_errors.html", {}, status=400)
    try:
        context = act(exercise, form.cleaned_data)
    except Unavailable as exc:
        context = {"retry_after": exc.retry_after}
        return _answer(request, exercise, form, "learning/partials/run_unavailable.html", context, status=503)
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in FIELDS else None, exc.message)
        return _answer(request, exercise, form, "learning/partials/run_errors.html", {}, status=exc.status)
    return _answer(request, exercise, form, template, context)


@require_POST
def exercise_run(request, pk: int):
    def act(exercise, data):
        run = services.exercise_run_input(
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

    return _posted(request, pk, "learning/partials/run_result.html", act)


@require_POST
def exercise_submit(request, pk: int):
    def act(exercise, data):
        submission = services.exercise_submit(
            user=request.user, exercise=exercise, language=data["language"], code=data["code"]
        )
        return _submission_context(request.user, exercise, submission)

    return _posted(request, pk, "learning/partials/submit_result.html", act)


def _submission_context(user, exercise: Content, submission) -> dict:
    """The submission's results as the learner may see them: hidden tests only counted."""
    reveal = selectors.validator_reveal(user=user, exercise_ids=[exercise.id])
    validators = {v.id: v for v in exercise.validators.all()}
    shown, hidden = [], []
    for result in submission.results:
        validator = validators.get(result.get("validator_id"))
        is_hidden = bool(result.get("hidden")) or validator is None or validator.is_hidden
        if is_hidden and not reveal.shows(validator_id=result.get("validator_id"), hidden=True):
            hidden.append(bool(result.get("passed")))
            continue
        shown.append(
            {
                "number": len(shown) + len(hidden) + 1,
                "passed": bool(result.get("passed")),
                "verdict_label": VERDICTS.get(result.get("verdict", ""), result.get("verdict", "")),
                "exit_code": result.get("exit_code"),
                "stdin": validator.stdin_text if validator else "",
                "expected": validator.expected_text if validator else "",
                "stdout": result.get("stdout", ""),
                "stderr": result.get("stderr", ""),
                "unlocked": is_hidden,
            }
        )
    return {
        "submission": submission,
        "shown": shown,
        "hidden_total": len(hidden),
        "hidden_passed": sum(hidden),
        "passed_count": sum(1 for r in submission.results if r.get("passed")),
        "total_count": len(submission.results),
        "points": selectors.submission_points(submission=submission),
        "progress": selectors.exercise_progress_get(user=user, exercise=exercise),
        "balance": wallet_balance(user=user),
    }
