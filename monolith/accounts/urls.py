from django.urls import path, register_converter

from monolith.accounts.apis import emails, teams, users


class DatabaseIdConverter:
    """A positive id that fits in a bigint; longer numbers match no URL (404), never overflow."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number < 2**63:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(DatabaseIdConverter, "accounts_id")

app_name = "accounts"

urlpatterns = [
    path("register", users.RegisterApi.as_view(), name="register"),
    path("me", users.MeApi.as_view(), name="me"),
    path("me/wallet", users.WalletApi.as_view(), name="wallet"),
    path("me/ledger", users.LedgerApi.as_view(), name="ledger"),
    path("leaderboard", users.LeaderboardApi.as_view(), name="leaderboard"),
    path("emails", emails.EmailListApi.as_view(), name="emails"),
    path("emails/verify", emails.EmailVerifyApi.as_view(), name="email-verify"),
    path("emails/<accounts_id:pk>", emails.EmailDetailApi.as_view(), name="email-detail"),
    path("emails/<accounts_id:pk>/primary", emails.EmailMakePrimaryApi.as_view(), name="email-primary"),
    path("emails/<accounts_id:pk>/resend", emails.EmailResendApi.as_view(), name="email-resend"),
    path("teams", teams.TeamListApi.as_view(), name="teams"),
    path("teams/invitations/accept", teams.InvitationAcceptApi.as_view(), name="invitation-accept"),
    path("teams/invitations/decline", teams.InvitationDeclineApi.as_view(), name="invitation-decline"),
    path("teams/<accounts_id:pk>", teams.TeamDetailApi.as_view(), name="team-detail"),
    path("teams/<accounts_id:pk>/members", teams.TeamMemberListApi.as_view(), name="team-members"),
    path(
        "teams/<accounts_id:pk>/members/<accounts_id:user_id>",
        teams.TeamMemberRemoveApi.as_view(),
        name="team-member",
    ),
    path("teams/<accounts_id:pk>/leave", teams.TeamLeaveApi.as_view(), name="team-leave"),
    path("teams/<accounts_id:pk>/transfer", teams.TeamTransferApi.as_view(), name="team-transfer"),
    path(
        "teams/<accounts_id:pk>/invitations", teams.TeamInvitationListApi.as_view(), name="team-invitations"
    ),
    path(
        "teams/<accounts_id:pk>/invitations/<accounts_id:invitation_id>/revoke",
        teams.TeamInvitationRevokeApi.as_view(),
        name="team-invitation-revoke",
    ),
]
