"""``/teams/`` (my teams, create one) and ``/teams/<id>/`` (members, invitations, captaincy)."""

from django.contrib import messages
from django.http import Http404
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
            return redirect("account-pages:team", pk=team.pk)
    teams = selectors.team_list(user=request.user)
    return render(request, "accounts/teams.html", {"teams": teams, "form": form, "nav": "teams"})


def _team(request, pk: int):
    try:
        return selectors.team_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
def team_detail(request, pk: int, *, invite_form=None):
    team = _team(request, pk)
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
@post_only(TEAM, keep=("pk",))
def team_invite(request, pk: int):
    team = _team(request, pk)
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
            return redirect("account-pages:team", pk=pk)
    return team_detail(request, pk, invite_form=form)


def _act(request, pk: int, action, done: str, *, then: str | None = None):
    """Run one team action; the outcome is a notice on the team's page (or ``then``)."""
    team = _team(request, pk)
    try:
        action(team)
    except ServiceError as exc:
        notice_refused(request, exc)
        return redirect("account-pages:team", pk=pk)
    messages.success(request, done)
    return redirect(then or "account-pages:team", **({} if then else {"pk": pk}))


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else 0


@login_required
@post_only(TEAM, keep=("pk",))
def team_revoke(request, pk: int, invitation_pk: int):
    def revoke(team):
        invitation = selectors.team_invitation_get(team=team, pk=invitation_pk)
        team_invitation_revoke(team=team, actor=request.user, invitation=invitation)

    return _act(request, pk, revoke, _("The invitation is revoked; its link no longer works."))


@login_required
@post_only(TEAM, keep=("pk",))
def team_remove(request, pk: int):
    user_id = _posted_id(request, "user_id")
    return _act(
        request,
        pk,
        lambda team: team_member_remove(team=team, actor=request.user, user_id=user_id),
        _("The member is removed from the team."),
    )


@login_required
@post_only(TEAM, keep=("pk",))
def team_transfer(request, pk: int):
    user_id = _posted_id(request, "user_id")
    return _act(
        request,
        pk,
        lambda team: team_captain_transfer(team=team, actor=request.user, user_id=user_id),
        _("The captaincy is handed over."),
    )


@login_required
@post_only(TEAM, keep=("pk",))
def team_leave_page(request, pk: int):
    return _act(
        request,
        pk,
        lambda team: team_leave(team=team, user=request.user),
        _("You left the team."),
        then="account-pages:teams",
    )
