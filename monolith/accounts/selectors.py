"""Account reads: querysets scoped to what the asking user may see."""

from django.db.models import Count, F, QuerySet, Value, Window
from django.db.models.functions import Coalesce, Rank

from common.errors import Forbidden, NotFound
from monolith.accounts.models import EmailAddress, LedgerEntry, Team, TeamInvitation, TeamMembership, User
from monolith.accounts.tokens import TOKEN_MAX_LENGTH, token_hash


def email_address_list(*, user: User) -> QuerySet[EmailAddress]:
    return EmailAddress.objects.filter(user=user)


def email_address_get(*, user: User, pk: int) -> EmailAddress:
    """One of ``user``'s addresses; another user's address is not found, like a missing one."""
    address = EmailAddress.objects.select_related("user").filter(user=user, pk=pk).first()
    if address is None:
        raise NotFound("No such email address.")
    return address


def ledger_entry_list(*, user: User) -> QuerySet[LedgerEntry]:
    """``user``'s ledger, newest first."""
    return LedgerEntry.objects.filter(wallet__user=user).order_by("-created_at", "-id")


def leaderboard() -> QuerySet[User]:
    """Active, non-staff users by points, with their competition rank (1, 2, 2, 4).

    Each row has ``points`` (wallet balance, 0 without a wallet) and ``rank``,
    computed by a window function over every ranked user, so a later page gets
    the same ranks as if everyone had been read. Ties are ordered by user id
    so pages never shuffle.
    """
    points = Coalesce(F("wallet__balance"), Value(0))
    return (
        User.objects.filter(is_active=True, is_staff=False)
        .annotate(points=points)
        .annotate(rank=Window(expression=Rank(), order_by=F("points").desc()))
        .order_by("-points", "id")
        .only("id", "username")
    )


def leaderboard_size() -> int:
    """Number of ranked users: what a leaderboard page counts, without the window."""
    return User.objects.filter(is_active=True, is_staff=False).count()


def team_list(*, user: User) -> QuerySet[Team]:
    """Teams ``user`` belongs to, with their member count."""
    # Filter through a subquery: joining memberships for the filter would make
    # the count see only the asking user's own membership.
    return (
        Team.objects.filter(pk__in=TeamMembership.objects.filter(user=user).values("team_id"))
        .select_related("captain")
        .annotate(members_count=Count("memberships", distinct=True))
        .order_by("name", "id")
    )


def team_get(*, user: User, pk: int) -> Team:
    """A team ``user`` belongs to; any other team is not found."""
    team = team_list(user=user).filter(pk=pk).first()
    if team is None:
        raise NotFound("No such team.")
    return team


def team_member_list(*, team: Team) -> QuerySet[TeamMembership]:
    return TeamMembership.objects.filter(team=team).select_related("user", "team").order_by("joined_at", "id")


def team_invitation_list(*, team: Team, user: User) -> QuerySet[TeamInvitation]:
    """The team's invitations, newest first: the captain's business only."""
    if team.captain_id != user.pk:
        raise Forbidden("Only the team's captain can see its invitations.")
    return (
        TeamInvitation.objects.filter(team=team).select_related("invited_by").order_by("-created_at", "-id")
    )


def team_invitation_by_token(*, token: str) -> TeamInvitation | None:
    """The invitation a mailed link opens (with its team and inviter), or ``None``."""
    if len(token) > TOKEN_MAX_LENGTH:
        return None
    return (
        TeamInvitation.objects.select_related("team", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def team_invitation_get(*, team: Team, pk: int) -> TeamInvitation:
    invitation = TeamInvitation.objects.filter(team=team, pk=pk).first()
    if invitation is None:
        raise NotFound("No such invitation.")
    return invitation
