"""The recruiting team's pages: assessments, team exercises, candidates, reports, CSV export.

Every view finds its assessment through the signed-in member's recruiting
teams (``selectors.assessment_get``): a learner or another team's recruiter
gets a 404, whatever the id.
"""

import csv
import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import NotFound, ServiceError
from monolith.interviews import csv_import, report, selectors, services, similarity
from monolith.interviews.pages.forms import AssessmentForm, CsvForm, InviteForm, TeamExerciseForm
from monolith.learning.rendering import markdown_to_html
from monolith.web.decorators import login_required

SORTS = ("score", "name")


def _get(selector, **kwargs):
    try:
        return selector(**kwargs)
    except NotFound as error:
        raise Http404(error.message) from error


def _url(assessment) -> str:
    return f"/recruit/assessments/{assessment.id}/"


def _apply_error(form, error: ServiceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
@require_GET
def home(request):
    assessments = list(selectors.assessment_list(user=request.user))
    rows = [(a, max(a.versions.all(), key=lambda v: v.number)) for a in assessments]
    return render(
        request,
        "interviews/home.html",
        {
            "nav": "recruit",
            "teams": list(selectors.recruiting_teams(user=request.user)),
            "rows": rows,
            "exercises": list(selectors.team_exercise_list(user=request.user)),
        },
    )


def _version_data(form) -> dict:
    data = form.cleaned_data
    return {
        key: data[key]
        for key in (
            "title",
            "instructions",
            "languages",
            "duration_minutes",
            "opens_at",
            "closes_at",
            "sources",
        )
    }


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request):
    if not selectors.is_recruiter(user=request.user):
        raise Http404("No recruiting team.")
    form = AssessmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                team=form.cleaned_data["team"], by=request.user, data=_version_data(form)
            )
        except ServiceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Assessment created. Invite your candidates."))
            return redirect(_url(assessment))
    status = 400 if request.method == "POST" else 200
    return render(request, "interviews/assessment_form.html", {"nav": "recruit", "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk: int):
    assessment = _get(selectors.assessment_get, user=request.user, pk=pk)
    latest = selectors.latest_version(assessment=assessment)
    initial = {
        "team": assessment.team,
        "title": latest.title,
        "instructions": latest.instructions,
        "languages": latest.languages,
        "duration_minutes": latest.duration_minutes,
        "opens_at": timezone.localtime(latest.opens_at),
        "closes_at": timezone.localtime(latest.closes_at),
        "sources": latest.sources,
    }
    form = AssessmentForm(request.POST or None, user=request.user, team=assessment.team, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.assessment_update(
                assessment=assessment, by=request.user, data=_version_data(form)
            )
        except ServiceError as error:
            _apply_error(form, error)
        else:
            if version.number != latest.number:
                messages.success(
                    request,
                    _("Saved as version %(n)s: candidates who already started keep version %(old)s.")
                    % {"n": version.number, "old": latest.number},
                )
            else:
                messages.success(request, _("Assessment saved."))
            return redirect(_url(assessment))
    context = {"nav": "recruit", "form": form, "assessment": assessment, "version": latest}
    return render(
        request, "interviews/assessment_form.html", context, status=400 if request.method == "POST" else 200
    )


def _detail(request, assessment, *, invite_form=None, csv_form=None, csv_errors=None, status=200):
    sort = request.GET.get("sort", "")
    rows = report.pipeline(assessment=assessment, sort=sort if sort in SORTS else "")
    version = selectors.latest_version(assessment=assessment)
    return render(
        request,
        "interviews/assessment.html",
        {
            "nav": "recruit",
            "assessment": assessment,
            "version": version,
            "instructions_html": markdown_to_html(version.instructions),
            "rows": rows,
            "counts": report.counts(rows),
            "sort": sort,
            "invite_form": invite_form or InviteForm(),
            "csv_form": csv_form or CsvForm(),
            "csv_errors": csv_errors or [],
            "closed": version.closes_at <= timezone.now(),
        },
        status=status,
    )


@login_required
@require_GET
def assessment_detail(request, pk: int):
    assessment = _get(selectors.assessment_get, user=request.user, pk=pk)
    for attempt in selectors.open_attempts(assessment=assessment):
        services.attempt_close_if_expired(attempt=attempt)
    return _detail(request, assessment)


@login_required
@require_POST
def invite(request, pk: int):
    assessment = _get(selectors.assessment_get, user=request.user, pk=pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                assessment=assessment,
                by=request.user,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
            )
        except ServiceError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect(_url(assessment))
    return _detail(request, assessment, invite_form=form, status=400)


@login_required
@require_POST
def invite_csv(request, pk: int):
    assessment = _get(selectors.assessment_get, user=request.user, pk=pk)
    form = CsvForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            invitations = services.invitations_import(
                assessment=assessment, by=request.user, data=form.cleaned_data["file"]
            )
        except csv_import.CsvRefused as error:
            form.add_error("file", str(error))
        except csv_import.CsvRowErrors as error:
            form.add_error("file", _("Nothing was imported: fix these lines and upload the file again."))
            return _detail(request, assessment, csv_form=form, csv_errors=error.errors, status=400)
        except ServiceError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("%(n)s invitation(s) sent.") % {"n": len(invitations)})
            return redirect(_url(assessment))
    return _detail(request, assessment, csv_form=form, status=400)


def _invitation_action(request, pk: int, invitation_id: int, act, done: str):
    assessment = _get(selectors.assessment_get, user=request.user, pk=pk)
    invitation = _get(selectors.invitation_get, assessment=assessment, pk=invitation_id)
    try:
        act(invitation=invitation)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(_url(assessment))


@login_required
@require_POST
def invitation_revoke(request, pk: int, invitation_id: int):
    return _invitation_action(
        request, pk, invitation_id, services.invitation_revoke, _("Invitation revoked.")
    )


@login_required
@require_POST
def invitation_resend(request, pk: int, invitation_id: int):
    return _invitation_action(
        request, pk, invitation_id, services.invitation_resend, _("A new link was sent.")
    )


@login_required
@require_POST
def candidate_erase(request, pk: int, invitation_id: int):
    return _invitation_action(
        request, pk, invitation_id, services.candidate_erase, _("The candidate's personal data was erased.")
    )


@login_required
@require_GET
def candidate(request, pk: int, invitation_id: int):
    assessment = _get(selectors.assessment_get, user=request.user, pk=pk)
    invitation = _get(selectors.invitation_get, assessment=assessment, pk=invitation_id)
    attempt = getattr(invitation, "attempt", None)
    if attempt is not None:
        attempt = services.attempt_close_if_expired(attempt=attempt)
    return render(
        request,
        "interviews/candidate.html",
        {
            "nav": "recruit",
            "assessment": assessment,
            "invitation": invitation,
            "state": selectors.invitation_state(invitation),
            "attempt": attempt,
            "exercises": report.candidate_report(invitation=invitation),
            "threshold": round(similarity.THRESHOLD * 100),
        },
    )


@login_required
@require_GET
def export(request, pk: int):
    assessment = _get(selectors.assessment_get, user=request.user, pk=pk)
    rows = report.pipeline(assessment=assessment, sort="score")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assessment-{assessment.id}-results.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["name", "email", "status", "score_percent", "started_at", "finished_at", "ended_by", "version"]
    )
    for row in rows:
        writer.writerow(
            [
                row.invitation.name,
                row.invitation.email,
                row.state,
                "" if row.score is None else row.score,
                row.started_at.isoformat() if row.started_at else "",
                row.finished_at.isoformat() if row.finished_at else "",
                row.ended_by,
                row.version or "",
            ]
        )
    return response


def _exercise_data(form) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "statement": data["statement"],
        "starters": {language: data["starter_code"] for language in data["languages"]},
        "tests": data["tests"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def exercise_form(request, exercise_id: int | None = None):
    exercise = _get(selectors.team_exercise_get, user=request.user, pk=exercise_id) if exercise_id else None
    if exercise is None and not selectors.is_recruiter(user=request.user):
        raise Http404("No recruiting team.")
    initial = {}
    if exercise is not None:
        initial = {
            "team": exercise.team,
            "title": exercise.title,
            "statement": exercise.statement,
            "languages": list(exercise.starters),
            "starter_code": next(iter(exercise.starters.values()), ""),
            "tests": json.dumps(exercise.tests, indent=2),
        }
    form = TeamExerciseForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if exercise is None:
                services.team_exercise_create(team=form.cleaned_data["team"], **_exercise_data(form))
            else:
                services.team_exercise_update(exercise=exercise, **_exercise_data(form))
        except ServiceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Exercise saved. Assessments use it once you add it and save them."))
            return redirect("/recruit/")
    context = {"nav": "recruit", "form": form, "exercise": exercise}
    return render(
        request, "interviews/exercise_form.html", context, status=400 if request.method == "POST" else 200
    )
