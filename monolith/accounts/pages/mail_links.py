"""The pages behind the links in PolyCode's mails: confirm an address, answer a team invitation.

Opening a link only shows a page; the action is a button (a POST with a CSRF
token), so a mail scanner or a browser prefetching the link consumes nothing.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.errors import Forbidden, ServiceError
from monolith.accounts import selectors
from monolith.accounts.models import InvitationStatus
from monolith.accounts.pages.errors import said
from monolith.accounts.services.emails import email_address_verify
from monolith.accounts.services.teams import team_invitation_accept, team_invitation_decline
from monolith.accounts.tokens import TOKEN_MAX_LENGTH
from monolith.web.decorators import login_required

INVALID_LINK = ServiceError("This verification link is not valid.", field="token", code="invalid_token")
INVALID_INVITATION = ServiceError("This invitation link is not valid.", field="token", code="invalid_token")


@require_http_methods(["GET", "POST"])
def email_verify(request, token: str):
    """Anyone holding the link may confirm: the token alone proves the mailbox."""
    context = {}
    if request.method == "POST":
        try:
            if len(token) > TOKEN_MAX_LENGTH:
                raise INVALID_LINK
            address = email_address_verify(token=token)
        except ServiceError as exc:
            context["failed"] = said(exc)
        else:
            context["done"] = _("%(email)s is confirmed. Thank you!") % {"email": address.email}
    return render(request, "accounts/email_verify.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_invitation(request, token: str):
    """Answered as oneself: the invitation must be addressed to one of one's verified addresses."""
    invitation = selectors.team_invitation_by_token(token=token)
    context = {"invitation": invitation}
    if invitation is None:
        context["failed"] = said(INVALID_INVITATION)
    elif request.method == "GET" and invitation.effective_status != InvitationStatus.PENDING:
        context["failed"] = _("This invitation is no longer open: it was answered, revoked or it expired.")
    elif request.method == "POST":
        accept = request.POST.get("answer") != "decline"
        try:
            if accept:
                team_invitation_accept(user=request.user, token=token)
            else:
                team_invitation_decline(user=request.user, token=token)
        except ServiceError as exc:
            context["failed"] = said(exc)
            # Refused as the wrong person: the invited address is not confirmed on this account.
            context["check_address"] = isinstance(exc, Forbidden)
        else:
            name = invitation.team.name
            context["accepted"] = accept
            context["done"] = (
                _("You joined %(team)s.") % {"team": name}
                if accept
                else _("You declined to join %(team)s.") % {"team": name}
            )
    return render(request, "accounts/team_invitation.html", context)
