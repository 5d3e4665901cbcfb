"""Campaign pages: list, creation, a campaign, its exercises, the live scoreboard, management.

Views are thin: they call the campaigns' selectors and services. Every page
that shows exercises gets them from ``selectors.exercises_visible`` (nothing
before the start). Results of an ended campaign are published by the first
page that finds them due (idempotent), so no scheduler is needed.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import Forbidden, NotFound, ServiceError, Unavailable
from monolith.accounts.models import Team
from monolith.campaigns import selectors, services
from monolith.campaigns.models import Campaign, CampaignExercise
from monolith.campaigns.pages.forms import CampaignForm, ExerciseFormSet, RegistrationForm, exercise_choices
from monolith.learning.models import Content
from monolith.learning.pages.exercise import VERDICTS, ExerciseCodeForm
from monolith.learning.rendering import markdown_to_html
from monolith.web.decorators import login_required, login_url

FIELDS = ("language", "code")


def _campaign(request, pk: int) -> Campaign:
    try:
        campaign = selectors.campaign_get(user=request.user, campaign_id=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if services.campaign_results_publish_due(campaign=campaign):
        campaign.refresh_from_db()
    return campaign


def _common(request, campaign: Campaign) -> dict:
    return {
        "nav": "campaigns",
        "campaign": campaign,
        "state": selectors.campaign_state(campaign=campaign),
        "manager": selectors.can_manage(user=request.user, campaign=campaign),
        "registration": selectors.registration_for(user=request.user, campaign=campaign),
    }


@require_GET
def campaign_list(request):
    campaigns = list(selectors.campaign_list(user=request.user))
    groups = {selectors.RUNNING: [], selectors.UPCOMING: [], selectors.ENDED: []}
    for campaign in campaigns:
        groups[selectors.campaign_state(campaign=campaign)].append(campaign)
    groups[selectors.RUNNING].sort(key=lambda c: c.ends_at)
    groups[selectors.UPCOMING].sort(key=lambda c: c.starts_at)
    can_create = request.user.is_authenticated and (
        request.user.is_staff or Team.objects.filter(captain=request.user).exists()
    )
    return render(
        request,
        "campaigns/list.html",
        {
            "nav": "campaigns",
            "running": groups[selectors.RUNNING],
            "upcoming": groups[selectors.UPCOMING],
            "ended": groups[selectors.ENDED],
            "can_create": can_create,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    user = request.user
    teams = list(Team.objects.all() if user.is_staff else Team.objects.filter(captain=user))
    if not user.is_staff and not teams:
        raise Http404("Only staff and team captains create campaigns.")
    choices = exercise_choices(user)
    form = CampaignForm(request.POST or None, teams=teams, staff=user.is_staff)
    formset = ExerciseFormSet(request.POST or None, prefix="exercises", form_kwargs={"choices": choices})
    exercises_error = ""
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        chosen = [f.cleaned_data for f in formset if f.cleaned_data.get("exercise")]
        contents = Content.objects.in_bulk([item["exercise"] for item in chosen])
        try:
            campaign = services.campaign_create(
                created_by=user,
                exercises=[(contents[item["exercise"]], item["points"]) for item in chosen],
                **form.cleaned_data,
            )
        except ServiceError as exc:
            if exc.field == "exercises":
                exercises_error = exc.message
            else:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The campaign is created."))
            return redirect(f"/campaigns/{campaign.id}/")
    status = 400 if request.method == "POST" else 200
    context = {"nav": "campaigns", "form": form, "formset": formset, "exercises_error": exercises_error}
    return render(request, "campaigns/new.html", context, status=status)


@require_GET
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    context = _common(request, campaign)
    exercises = selectors.exercises_visible(user=request.user, campaign=campaign)
    solved = set()
    if context["registration"] is not None:
        solved = set(
            context["registration"]
            .submissions.filter(passed=True)
            .values_list("campaign_exercise_id", flat=True)
        )
    teams = []
    if campaign.is_team_based and request.user.is_authenticated:
        teams = list(selectors.teams_to_register(user=request.user, campaign=campaign))
    context.update(
        {
            "description_html": markdown_to_html(campaign.description),
            "exercises": exercises,
            "solved": solved,
            "registration_open": selectors.registration_open(campaign=campaign),
            "register_form": RegistrationForm(teams=teams) if teams else None,
            "participants": campaign.registrations.count(),
            "login_url": login_url(f"/campaigns/{campaign.id}/"),
            "result": getattr(context["registration"], "result", None)
            if campaign.results_published_at
            else None,
        }
    )
    return render(request, "campaigns/detail.html", context)


@login_required
@require_POST
def campaign_register(request, pk: int):
    campaign = _campaign(request, pk)
    team = None
    if campaign.is_team_based:
        teams = list(selectors.teams_to_register(user=request.user, campaign=campaign))
        form = RegistrationForm(request.POST, teams=teams)
        if not form.is_valid():
            for error in form.errors.get("team", []):
                messages.error(request, error)
            return redirect(f"/campaigns/{campaign.id}/")
        team = form.cleaned_data["team"]
    try:
        registration = services.registration_create(campaign=campaign, user=request.user, team=team)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s is registered.") % {"name": registration.name})
    return redirect(f"/campaigns/{campaign.id}/")


def _campaign_exercise(request, campaign: Campaign, label: str) -> CampaignExercise:
    try:
        return selectors.campaign_exercise_get(user=request.user, campaign=campaign, label=label)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _exercise_context(request, campaign: Campaign, item: CampaignExercise, *, form=None) -> dict:
    exercise = item.exercise
    settings_by_language = {s.language: s for s in exercise.editor_settings.all()}
    context = _common(request, campaign)
    registration = context["registration"]
    mine = (
        list(selectors.submissions_of(registration=registration, campaign_exercise=item))
        if registration
        else []
    )
    language = (form.data.get("language") if form is not None else None) or (
        mine[0].language if mine else next(iter(settings_by_language), "")
    )
    if form is not None:
        code = form.data.get("code", "")
    else:
        code = mine[0].code if mine else getattr(settings_by_language.get(language), "starter_code", "")
    validators = list(exercise.validators.all())
    context.update(
        {
            "item": item,
            "exercise": exercise,
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
            "starters": {lang: s.starter_code for lang, s in settings_by_language.items()},
            "editor_theme": getattr(request.user, "editor_theme", "light"),
            "editor_keymap": getattr(request.user, "editor_keymap", "default"),
            "public_count": sum(1 for v in validators if not v.is_hidden),
            "hidden_count": sum(1 for v in validators if v.is_hidden),
            "mine": mine,
            "errors": {name: form.errors.get(name, []) for name in FIELDS} if form is not None else {},
            "non_field_errors": form.non_field_errors() if form is not None else [],
        }
    )
    return context


@login_required
@require_GET
def campaign_exercise(request, pk: int, label: str):
    campaign = _campaign(request, pk)
    item = _campaign_exercise(request, campaign, label)
    return render(request, "campaigns/exercise.html", _exercise_context(request, campaign, item))


def submission_context(submission) -> dict:
    """A submission as a participant sees it: public tests in full, hidden ones only counted."""
    validators = {v.id: v for v in submission.campaign_exercise.exercise.validators.all()}
    shown, hidden = [], []
    for result in submission.results:
        validator = validators.get(result.get("validator_id"))
        if result.get("hidden") or validator is None or validator.is_hidden:
            hidden.append(bool(result.get("passed")))
            continue
        shown.append(
            {
                "number": len(shown) + len(hidden) + 1,
                "passed": bool(result.get("passed")),
                "verdict_label": VERDICTS.get(result.get("verdict", ""), result.get("verdict", "")),
                "stdin": validator.stdin_text,
                "expected": validator.expected_text,
                "stdout": result.get("stdout", ""),
                "stderr": result.get("stderr", ""),
            }
        )
    return {
        "submission": submission,
        "shown": shown,
        "hidden_total": len(hidden),
        "hidden_passed": sum(hidden),
    }


@login_required
@require_POST
def campaign_exercise_submit(request, pk: int, label: str):
    campaign = _campaign(request, pk)
    item = _campaign_exercise(request, campaign, label)
    form = ExerciseCodeForm(request.POST, exercise=item.exercise)
    status, context = 200, {}
    if form.is_valid():
        try:
            submission = services.campaign_submit(
                campaign=campaign,
                user=request.user,
                campaign_exercise=item,
                language=form.cleaned_data["language"],
                code=form.cleaned_data["code"],
            )
        except Unavailable as exc:
            status, context = 503, {"unavailable": True, "retry_after": exc.retry_after}
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in FIELDS else None, exc.message)
            status = exc.status
        else:
            context = submission_context(submission)
    else:
        status = 400
    page = _exercise_context(request, campaign, item, form=form)
    page.update(context)
    template = "campaigns/partials/submit_result.html" if request.htmx else "campaigns/exercise.html"
    response = render(request, template, {**page, "show_result": True}, status=status)
    if context.get("retry_after"):
        response["Retry-After"] = str(context["retry_after"])
    return response


def _board_context(request, campaign: Campaign) -> dict:
    board = selectors.board_get(user=request.user, campaign=campaign)
    mine = selectors.registration_for(user=request.user, campaign=campaign)
    rows = [
        {
            "rank": row.rank,
            "id": row.participant,
            "name": board.names[row.participant],
            "score": board.score_of(row),
            "penalty": row.penalty(campaign.penalty_minutes),
            "cells": [row.cells[column.id] for column in board.columns],
            "me": mine is not None and mine.id == row.participant,
        }
        for row in board.rows
    ]
    return {
        **_common(request, campaign),
        "board": board,
        "rows": rows,
        "icpc": campaign.scoring == "icpc",
        "now": timezone.now(),
    }


@require_GET
def scoreboard(request, pk: int):
    campaign = _campaign(request, pk)
    return render(request, "campaigns/scoreboard.html", _board_context(request, campaign))


@require_GET
def scoreboard_board(request, pk: int):
    campaign = _campaign(request, pk)
    return render(request, "campaigns/partials/board.html", _board_context(request, campaign))


@require_GET
def participant(request, pk: int, registration_id: int):
    campaign = _campaign(request, pk)
    registration = campaign.registrations.select_related("user", "team").filter(pk=registration_id).first()
    if registration is None:
        raise Http404("Participant not found.")
    board = selectors.board_get(user=request.user, campaign=campaign)
    row = next(r for r in board.rows if r.participant == registration.id)
    visible = {column.id for column in board.columns}
    attempts = [
        {
            "submission": s,
            "pending": board.frozen_at is not None and s.created_at >= board.frozen_at,
            "minute": int((s.created_at - campaign.starts_at).total_seconds() // 60),
        }
        for s in selectors.submissions_of(registration=registration).order_by("created_at", "id")
        if s.campaign_exercise_id in visible
    ]
    context = _common(request, campaign)
    context.update(
        {
            "participant": registration,
            "row": row,
            "score": board.score_of(row),
            "penalty": row.penalty(campaign.penalty_minutes),
            "cells": [(column, row.cells[column.id]) for column in board.columns],
            "attempts": attempts,
            "board": board,
            "icpc": campaign.scoring == "icpc",
        }
    )
    return render(request, "campaigns/participant.html", context)


def _managed(request, pk: int) -> Campaign:
    campaign = _campaign(request, pk)
    if not selectors.can_manage(user=request.user, campaign=campaign):
        raise Http404("Campaign not found.")
    return campaign


@login_required
@require_GET
def manage(request, pk: int):
    campaign = _managed(request, pk)
    context = _common(request, campaign)
    context.update(
        {
            "exercises": list(campaign.exercises.select_related("exercise").order_by("position", "id")),
            "results": list(selectors.result_list(campaign=campaign)),
        }
    )
    return render(request, "campaigns/manage.html", context)


@login_required
@require_POST
def manage_rejudge(request, pk: int):
    campaign = _managed(request, pk)
    item = (
        campaign.exercises.select_related("exercise", "campaign")
        .filter(pk=request.POST.get("exercise"))
        .first()
    )
    if item is None:
        messages.error(request, _("Choose an exercise of this campaign to rejudge."))
        return redirect(f"/campaigns/{campaign.id}/manage/")
    try:
        count = services.campaign_exercise_rejudge(campaign_exercise=item)
    except Unavailable:
        messages.error(
            request, _("The code runner is not reachable right now; nothing was changed. Try again.")
        )
    else:
        messages.success(
            request,
            _("Exercise %(label)s: %(count)s submissions judged again.")
            % {"label": item.label, "count": count},
        )
    return redirect(f"/campaigns/{campaign.id}/manage/")


@login_required
@require_POST
def manage_results(request, pk: int):
    campaign = _managed(request, pk)
    try:
        services.campaign_results_publish(campaign=campaign)
    except (Forbidden, ServiceError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The results are published."))
    return redirect(f"/campaigns/{campaign.id}/manage/")
