"""The pages that links in PolyCode's mails open: confirm an email address, answer a team invitation.

A link only shows a page; the action is a button (a POST with a CSRF token),
so a mail scanner or a browser prefetching the link consumes nothing. The
action calls the monolith's API through the route table, as the signed-in
learner (or anonymously: the verification token alone proves the mailbox),
and the page says what happened in words, using the API's own error detail.
"""

from urllib.parse import quote

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from common.identity import request_ids
from gateway_proxy import aggregation
from gateway_proxy.auth.identity import authenticate, to_identity
from gateway_proxy.proxy.errors import EdgeError

VERIFY_API = "/api/v1/accounts/emails/verify"
INVITATION_API = "/api/v1/accounts/teams/invitations/{action}"
#: Seconds the page waits for the monolith's answer.
TIMEOUT = 5.0


def _post_api(request, path: str, body: dict, *, claims: dict | None) -> tuple[int, dict]:
    """``(status, JSON body)`` of the API call as ``claims``' user (``None``: anonymously), or a
    503-like answer when the service cannot be reached."""
    identity = to_identity(claims, request_ids.from_header(request.META.get(request_ids.META_KEY)))
    canary_key = "u:" + identity.user_id if identity.user_id else "ip:" + request.META.get("REMOTE_ADDR", "")
    try:
        route, target = aggregation.resolve(path, canary_key=canary_key, method="POST")
        return aggregation.call("POST", path, route, target, identity=identity, timeout=TIMEOUT, body=body)
    except EdgeError as exc:
        return exc.status, {"code": exc.code, "detail": "PolyCode cannot answer right now; try again later."}


def _detail(body: dict) -> str:
    fields = body.get("fields") or {}
    return body.get("detail") or next(iter(fields.values()), ["This link did not work."])[0]


@require_http_methods(["GET", "POST"])
def email_verify(request, token: str):
    context = {"title": "Confirm your email address", "action": "Confirm this address"}
    if request.method == "POST":
        claims, _ = authenticate(request.META)
        status, body = _post_api(request, VERIFY_API, {"token": token}, claims=claims)
        if status == 200:
            context.update(done=True, message=f"{body.get('email', 'Your address')} is confirmed. Thank you!")
        else:
            context.update(failed=True, message=_detail(body))
    return render(request, "gateway/mail_link.html", context, status=200)


@require_http_methods(["GET", "POST"])
def team_invitation(request, token: str):
    claims, _ = authenticate(request.META)
    if claims is None:
        # Invitations are answered as oneself: log in first, then come back here.
        return redirect(f"{settings.LOGIN_URL}?next={quote(request.get_full_path())}")
    context = {
        "title": "A team invitation",
        "who": claims.get("username", ""),
        "invitation": True,
    }
    if request.method == "POST":
        action = "decline" if request.POST.get("answer") == "decline" else "accept"
        status, body = _post_api(
            request, INVITATION_API.format(action=action), {"token": token}, claims=claims
        )
        if status == 200:
            team = (body.get("team") or {}).get("name", "the team")
            message = f"You joined {team}." if action == "accept" else f"You declined to join {team}."
            context.update(done=True, message=message)
        else:
            context.update(failed=True, message=_detail(body))
    return render(request, "gateway/mail_link.html", context)
