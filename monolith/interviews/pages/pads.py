"""Pages of the live interview pad: the team's list and form, the interviewer's pad, the candidate's.

The editing, the runs and the end happen over the pad's WebSocket
(``interviews/pad/consumers.py``); these pages hold what is not shared: the
share link, the interviewers' private notes and the playback.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ServiceError
from monolith.accounts.tokens import site_url
from monolith.interviews import selectors
from monolith.interviews.pad import services
from monolith.interviews.pages.forms import PadForm
from monolith.learning.pages import labels
from monolith.learning.rendering import markdown_to_html
from monolith.web.decorators import login_required


def _pad(request, public_id):
    try:
        return services.pad_for_member(user=request.user, public_id=public_id)
    except ServiceError as error:
        raise Http404(error.message) from error


def _verdicts() -> dict[str, str]:
    """What the page calls each run's outcome, in the reader's language."""
    names = {key: str(label) for key, label in labels.VERDICTS.items()}
    names[services.COMPLETED] = _("Finished")
    return names


def _url(pad) -> str:
    return f"/recruit/pads/{pad.public_id}/"


@login_required
@require_http_methods(["GET", "POST"])
def pad_list(request):
    if not selectors.is_recruiter(user=request.user):
        raise Http404("No recruiting team.")
    form = PadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pad = services.pad_open(
                team=data["team"],
                by=request.user,
                title=data["title"],
                language=data["language"],
                source=data["source"],
                candidate_name=data["candidate_name"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Interview opened. Send the candidate the link below."))
            return redirect(_url(pad))
    pads = list(services.pads_of(user=request.user)[:100])
    status = 400 if request.method == "POST" else 200
    return render(
        request, "interviews/pads.html", {"nav": "recruit", "form": form, "pads": pads}, status=status
    )


@login_required
@require_GET
def pad_page(request, public_id):
    pad = _pad(request, public_id)
    verdicts = _verdicts()
    context = {
        "nav": "recruit",
        "pad": pad,
        "link": site_url(f"/pad/{services.link_token(pad)}"),
        "socket": f"/pad/ws/i/{pad.public_id}",
        "statement_html": markdown_to_html(pad.statement) if pad.statement else "",
        "playback": services.playback(pad=pad),
        "runs": [
            (run, verdicts.get(run.verdict, run.verdict))
            for run in pad.runs.order_by("-created_at", "-id")[:20]
        ],
        "verdicts": verdicts,
    }
    return render(request, "interviews/pad.html", context)


@login_required
@require_POST
def pad_notes(request, public_id):
    pad = _pad(request, public_id)
    notes = request.POST.get("notes", "")
    try:
        services.notes_save(pad=pad, notes=notes)
    except ServiceError as error:
        context = {"pad": pad, "notes": notes, "error": error.message}
        return render(request, "interviews/partials/pad_notes.html", context, status=400)
    if request.htmx:
        return render(
            request, "interviews/partials/pad_notes.html", {"pad": pad, "notes": pad.notes, "saved": True}
        )
    messages.success(request, _("Notes saved."))
    return redirect(_url(pad))


@login_required
@require_POST
def pad_end(request, public_id):
    pad = _pad(request, public_id)
    services.pad_end(pad=pad)
    messages.success(request, _("Interview ended: the candidate's link no longer works."))
    return redirect(_url(pad))


@require_GET
def pad_candidate(request, token: str):
    try:
        pad = services.pad_for_link(token=token)
    except services.PadEnded as error:
        return render(request, "interviews/pad_closed.html", {"message": error.message}, status=410)
    except ServiceError as error:
        return render(request, "interviews/pad_closed.html", {"message": error.message}, status=404)
    context = {
        "pad": pad,
        "socket": f"/pad/ws/c/{token}",
        "verdicts": _verdicts(),
        "statement_html": markdown_to_html(pad.statement) if pad.statement else "",
    }
    response = render(request, "interviews/pad_candidate.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the link is the candidate's key
    return response
