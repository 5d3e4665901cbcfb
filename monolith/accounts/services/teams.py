"""Teams, their captain, members and invitations by email.

Rules the services keep:

- a team has exactly one captain, who is always one of its members;
- only the captain manages the team (invite, revoke, remove, transfer,
  rename, delete); the captain can neither leave nor be removed before
  handing the captaincy to another member;
- an invitation goes to an email address and can only be answered by a
  signed-in user on whose account that address is *verified*.

Every write that depends on who is in the team locks the team row first
(then the invitation, then memberships), so racing requests — two accepts of
one invitation, a transfer and a leave — are serialised and never deadlock.

Mail language: members get mail in their own preferred language. An
invitation is written in the preferred language of the account that has
verified the invited address if there is one, otherwise in the inviter's
language — the person inviting usually shares a language with the invitee,
which is a better guess than English.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.errors import Conflict, Forbidden, NotFound, ServiceError
from monolith.accounts.models import (
    EmailAddress,
    InvitationStatus,
    Team,
    TeamInvitation,
    TeamKind,
    TeamMembership,
    User,
)
from monolith.accounts.services.emails import email_normalize
from monolith.accounts.tokens import site_url, token_hash, token_new
from monolith.notifications.kinds import MailKind
from monolith.notifications.services import mail_request

#: A team cannot have more invitations waiting for an answer than this.
MAX_PENDING_INVITATIONS = 50


def _locked_team(team: Team) -> Team:
    locked = Team.objects.select_for_update().filter(pk=team.pk).first()
    if locked is None:
        raise NotFound("No such team.")
    return locked


def _require_captain(team: Team, user: User) -> None:
    if team.captain_id != user.pk:
        raise Forbidden("Only the team's captain can do this.")


def _name_taken(name: str, *, exclude_pk: int | None = None) -> bool:
    return Team.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists()


def _save_team(team: Team, **kwargs) -> None:
    try:
        with transaction.atomic():
            team.save(**kwargs)
    except IntegrityError:
        raise Conflict("A team with this name already exists.", field="name", code="name_taken") from None


def _team_url(team: Team) -> str:
    return site_url(f"teams/{team.pk}")


def _language_of_address(email: str, *, fallback: str) -> str:
    owner_language = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .values_list("user__preferred_language", flat=True)
        .first()
    )
    return owner_language or fallback


@transaction.atomic
def team_create(*, captain: User, name: str, description: str = "", kind: str = TeamKind.COMMUNITY) -> Team:
    """Create a team led by ``captain``, its first member. Names are unique whatever their case."""
    name = name.strip()
    if _name_taken(name):
        raise Conflict("A team with this name already exists.", field="name", code="name_taken")
    team = Team(name=name, description=description, kind=kind, captain=captain)
    _save_team(team)
    TeamMembership.objects.create(team=team, user=captain)
    return team


@transaction.atomic
def team_update(*, team: Team, actor: User, data: dict) -> Team:
    """Change the team's ``name`` and/or ``description`` (captain only)."""
    team = _locked_team(team)
    _require_captain(team, actor)
    fields = []
    if "name" in data:
        name = data["name"].strip()
        if _name_taken(name, exclude_pk=team.pk):
            raise Conflict("A team with this name already exists.", field="name", code="name_taken")
        team.name = name
        fields.append("name")
    if "description" in data:
        team.description = data["description"]
        fields.append("description")
    if fields:
        _save_team(team, update_fields=fields)
    return team


@transaction.atomic
def team_delete(*, team: Team, actor: User) -> None:
    """Delete the team, its memberships and invitations (captain only)."""
    team = _locked_team(team)
    _require_captain(team, actor)
    team.delete()


@transaction.atomic
def team_invitation_create(*, team: Team, inviter: User, email: str) -> TeamInvitation:
    """Invite ``email`` to the team (captain only) and mail it the accept link.

    Refused when the address already belongs to a member, or already has a
    pending invitation to this team. The link holds a token valid
    ``settings.INVITATION_TTL_DAYS`` days; only its hash is stored.
    """
    team = _locked_team(team)
    _require_captain(team, inviter)
    email = email_normalize(email)
    if EmailAddress.objects.filter(email__iexact=email, user__team_memberships__team=team).exists():
        raise Conflict("This address belongs to a member of the team.", field="email", code="already_member")
    now = timezone.now()
    team.invitations.filter(status=InvitationStatus.PENDING, expires_at__lte=now).update(
        status=InvitationStatus.EXPIRED
    )
    pending = team.invitations.filter(status=InvitationStatus.PENDING)
    if pending.filter(email__iexact=email).exists():
        raise Conflict(
            "This address already has a pending invitation.", field="email", code="already_invited"
        )
    if pending.count() >= MAX_PENDING_INVITATIONS:
        raise ServiceError(
            f"A team has at most {MAX_PENDING_INVITATIONS} pending invitations; revoke some first.",
            field="email",
            code="too_many",
        )
    token, digest = token_new()
    ttl_days = settings.INVITATION_TTL_DAYS
    invitation = TeamInvitation.objects.create(
        team=team,
        email=email,
        invited_by=inviter,
        token_hash=digest,
        expires_at=now + timedelta(days=ttl_days),
    )
    mail_request(
        kind=MailKind.TEAM_INVITATION,
        to=email,
        language=_language_of_address(email, fallback=inviter.preferred_language),
        context={
            "team_name": team.name,
            "inviter_username": inviter.username,
            "accept_url": site_url(f"teams/invitations/{token}"),
            "ttl_days": ttl_days,
        },
    )
    return invitation


def _answerable_invitation(*, user: User, token: str) -> tuple[TeamInvitation, bool]:
    """The invitation ``token`` opens, locked (team first), checked for ``user``.

    Returns ``(invitation, expired)``: an expired invitation is marked so and
    the caller must refuse it after letting that mark commit.
    """
    found = TeamInvitation.objects.filter(token_hash=token_hash(token)).values_list("pk", "team_id").first()
    if found is None:
        raise ServiceError("This invitation link is not valid.", field="token", code="invalid_token")
    invitation_pk, team_pk = found
    Team.objects.select_for_update().filter(pk=team_pk).first()
    invitation = (
        TeamInvitation.objects.select_for_update().select_related("team").filter(pk=invitation_pk).first()
    )
    if invitation is None:  # the team was deleted meanwhile
        raise ServiceError("This invitation link is not valid.", field="token", code="invalid_token")
    if not EmailAddress.objects.filter(user=user, verified=True, email__iexact=invitation.email).exists():
        raise Forbidden(
            "This invitation was sent to an address that is not verified on your account.",
            field="token",
        )
    if invitation.status == InvitationStatus.PENDING and invitation.is_expired:
        invitation.status = InvitationStatus.EXPIRED
        invitation.save(update_fields=["status"])
        return invitation, True
    if invitation.status != InvitationStatus.PENDING:
        raise Conflict(
            f"This invitation is no longer open: it was {invitation.get_status_display().lower()}.",
            field="token",
            code=f"invitation_{invitation.status}",
        )
    return invitation, False


def _refuse_expired() -> ServiceError:
    return ServiceError(
        "This invitation has expired; ask the captain for a new one.",
        field="token",
        code="invitation_expired",
    )


def team_invitation_accept(*, user: User, token: str) -> TeamMembership:
    """Join the team with an invitation addressed to one of ``user``'s verified addresses.

    The invitation becomes ``accepted`` and the new member gets an "added"
    mail. Two racing accepts of one invitation make one membership: the
    second sees the invitation already accepted.
    """
    with transaction.atomic():
        invitation, expired = _answerable_invitation(user=user, token=token)
        if not expired:
            return _join(invitation=invitation, user=user)
    # Outside the block: the "expired" status is kept, the request refused.
    raise _refuse_expired()


def _join(*, invitation: TeamInvitation, user: User) -> TeamMembership:
    team = invitation.team
    if TeamMembership.objects.filter(team=team, user=user).exists():
        raise Conflict("You are already a member of this team.", field="token", code="already_member")
    membership = TeamMembership.objects.create(team=team, user=user)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.responded_by = user
    invitation.save(update_fields=["status", "responded_at", "responded_by"])
    if user.email:
        mail_request(
            kind=MailKind.TEAM_MEMBER_ADDED,
            to=user.email,
            language=user.preferred_language,
            context={
                "username": user.username,
                "team_name": team.name,
                "captain_username": team.captain.username,
                "team_url": _team_url(team),
            },
        )
    return membership


def team_invitation_decline(*, user: User, token: str) -> TeamInvitation:
    """Decline an invitation addressed to one of ``user``'s verified addresses."""
    with transaction.atomic():
        invitation, expired = _answerable_invitation(user=user, token=token)
        if not expired:
            invitation.status = InvitationStatus.DECLINED
            invitation.responded_at = timezone.now()
            invitation.responded_by = user
            invitation.save(update_fields=["status", "responded_at", "responded_by"])
            return invitation
    raise _refuse_expired()


@transaction.atomic
def team_invitation_revoke(*, team: Team, actor: User, invitation: TeamInvitation) -> TeamInvitation:
    """Withdraw a pending invitation (captain only); its link stops working."""
    team = _locked_team(team)
    _require_captain(team, actor)
    invitation = TeamInvitation.objects.select_for_update().filter(pk=invitation.pk, team=team).first()
    if invitation is None:
        raise NotFound("No such invitation.")
    if invitation.effective_status != InvitationStatus.PENDING:
        raise Conflict(
            f"Only a pending invitation can be revoked; this one is {invitation.effective_status}.",
            code="not_pending",
        )
    invitation.status = InvitationStatus.REVOKED
    invitation.responded_at = timezone.now()
    invitation.responded_by = actor
    invitation.save(update_fields=["status", "responded_at", "responded_by"])
    return invitation


def _locked_membership(team: Team, user_id: int) -> TeamMembership:
    membership = (
        TeamMembership.objects.select_for_update()
        .select_related("user")
        .filter(team=team, user_id=user_id)
        .first()
    )
    if membership is None:
        raise NotFound("This user is not a member of the team.", field="user_id")
    return membership


@transaction.atomic
def team_member_remove(*, team: Team, actor: User, user_id: int) -> None:
    """Remove a member (captain only) and tell them by mail. The captain cannot be removed."""
    team = _locked_team(team)
    _require_captain(team, actor)
    membership = _locked_membership(team, user_id)
    if membership.user_id == team.captain_id:
        raise Conflict(
            "The captain cannot be removed; transfer the captaincy to another member first.",
            field="user_id",
            code="captain_cannot_leave",
        )
    member = membership.user
    membership.delete()
    if member.email:
        mail_request(
            kind=MailKind.TEAM_MEMBER_REMOVED,
            to=member.email,
            language=member.preferred_language,
            context={"username": member.username, "team_name": team.name},
        )


@transaction.atomic
def team_leave(*, team: Team, user: User) -> None:
    """Leave the team. The captain must hand over the captaincy first."""
    team = _locked_team(team)
    membership = _locked_membership(team, user.pk)
    if team.captain_id == user.pk:
        raise Conflict(
            "The captain cannot leave the team; transfer the captaincy to another member first.",
            code="captain_cannot_leave",
        )
    membership.delete()


@transaction.atomic
def team_captain_transfer(*, team: Team, actor: User, user_id: int) -> Team:
    """Make another member the captain (captain only); the former captain stays a member."""
    team = _locked_team(team)
    _require_captain(team, actor)
    membership = _locked_membership(team, user_id)
    if membership.user_id == team.captain_id:
        raise ServiceError("This member is already the captain.", field="user_id", code="already_captain")
    team.captain = membership.user
    team.save(update_fields=["captain"])
    return team
