"""``/teams/`` (my teams, create one) and ``/teams/<id>/`` (members, invitations, captaincy)."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.errors import NotFound, ServiceError
from monolith.accounts import selectors
from monolith.accounts.models import InvitationStatus
from monolith.accounts.pages.actions import post_only
from monolith.accounts.pages.errors import form_refused, notice_refused
from monolith.accounts.pages.forms import InviteForm, TeamCreateForm
from monolith.accounts.services.teams import (
    team_captain_transfer,
    team_create,
    team_invitation_create,
    team_invitation_revoke,
    team_leave,
    team_member_remove,
)
from monolith.web.decorators import login_required

TEAM = "account-pages:team"


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request):
    form = TeamCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_create(captain=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form_refused(form, exc)
        else:
            messages.success(
                request, _("Team %(team)s is created; you are its captain.") % {"team": team.name}
            )
            return redirect(TEAM, pk=team.pk)
    teams = selectors.team_list(user=request.user)
    return render(request, "accounts/teams.html", {"teams": teams, "form": form, "nav": "teams"})


def with_team(view):
    """Call ``view`` with the asking member's team; another id gets a "no such team" page (404)."""

    @wraps(view)
    def wrapper(request, pk: int, **kwargs):
        try:
            team = selectors.team_get(user=request.user, pk=pk)
        except NotFound:
            context = {
                "title": _("No such team"),
                "message": _("This team does not exist, or you are not one of its members."),
                "nav": "teams",
            }
            return render(request, "web/error.html", context, status=404)
        return view(request, team, **kwargs)

    return wrapper


def _detail(request, team, *, invite_form=None):
    captain = team.captain_id == request.user.pk
    context = {
        "team": team,
        "captain": captain,
        "memberships": selectors.team_member_list(team=team),
        "invite_form": invite_form or InviteForm(),
        "nav": "teams",
    }
    if captain:
        invitations = selectors.team_invitation_list(team=team, user=request.user)
        context["pending"] = [i for i in invitations if i.effective_status == InvitationStatus.PENDING]
    return render(request, "accounts/team_detail.html", context)


@login_required
@require_http_methods(["GET"])
@with_team
def team_detail(request, team):
    return _detail(request, team)


@login_required
@post_only(TEAM, keep=("pk",))
@with_team
def team_invite(request, team):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = team_invitation_create(
                team=team, inviter=request.user, email=form.cleaned_data["email"]
            )
        except ServiceError as exc:
            form_refused(form, exc)
        else:
            messages.success(
                request, _("An invitation is on its way to %(email)s.") % {"email": invitation.email}
            )
            return redirect(TEAM, pk=team.pk)
    return _detail(request, team, invite_form=form)


def _act(request, team, action, done: str, *, then: str | None = None):
    """Run one team action; the outcome is a notice on the team's page (or on ``then``)."""
    try:
        action()
    except ServiceError as exc:
        notice_refused(request, exc)
        return redirect(TEAM, pk=team.pk)
    messages.success(request, done)
    return redirect(then) if then else redirect(TEAM, pk=team.pk)


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else 0


@login_required
@post_only(TEAM, keep=("pk",))
@with_team
def team_revoke(request, team, invitation_pk: int):
    def revoke():
        invitation = selectors.team_invitation_get(team=team, pk=invitation_pk)
        team_invitation_revoke(team=team, actor=request.user, invitation=invitation)

    return _act(request, team, revoke, _("The invitation is revoked; its link no longer works."))


@login_required
@post_only(TEAM, keep=("pk",))
@with_team
def team_remove(request, team):
    user_id = _posted_id(request, "user_id")
    return _act(
        request,
        team,
        lambda: team_member_remove(team=team, actor=request.user, user_id=user_id),
        _("The member is removed from the team."),
    )


@login_required
@post_only(TEAM, keep=("pk",))
@with_team
def team_transfer(request, team):
    user_id = _posted_id(request, "user_id")
    return _act(
        request,
        team,
        lambda: team_captain_transfer(team=team, actor=request.user, user_id=user_id),
        _("The captaincy is handed over."),
    )


@login_required
@post_only(TEAM, keep=("pk",))
@with_team
def team_leave_page(request, team):
    return _act(
        request,
        team,
        lambda: team_leave(team=team, user=request.user),
        _("You left the team."),
        then="account-pages:teams",
    )
