"""Every kind of mail PolyCode sends, and the context each kind needs.

This is the one list producers, the legacy renderer and (later) the queue
path agree on. Adding a kind means: a member here, its context keys in
``CONTEXT_KEYS``, and its three templates in every language under
``templates/mail/<language>/``.
"""

from django.db import models


class MailKind(models.TextChoices):
    EMAIL_VERIFICATION = "email_verification", "Email address verification"
    TEAM_INVITATION = "team_invitation", "Team invitation"
    TEAM_MEMBER_ADDED = "team_member_added", "Added to a team"
    TEAM_MEMBER_REMOVED = "team_member_removed", "Removed from a team"
    PASSWORD_RESET = "password_reset", "Password reset"
    CAMPAIGN_RESULTS = "campaign_results", "Campaign results"
    CERTIFICATE_AWARDED = "certificate_awarded", "Certificate awarded"
    ASSESSMENT_INVITATION = "assessment_invitation", "Assessment invitation"
    ASSESSMENT_REMINDER = "assessment_reminder", "Assessment reminder"


#: Languages mail is written in (the values of ``accounts.Language``).
LANGUAGES = ("en", "fr")

ASSESSMENT_KEYS = frozenset(
    {"candidate_name", "assessment_title", "team_name", "duration_minutes", "expires_on", "start_url"}
)

#: The exact context keys of each kind. Values are JSON scalars, so the same
#: context can travel in a queue message instead of being rendered here.
CONTEXT_KEYS: dict[str, frozenset[str]] = {
    MailKind.EMAIL_VERIFICATION: frozenset({"username", "email", "verify_url", "ttl_hours"}),
    MailKind.TEAM_INVITATION: frozenset({"team_name", "inviter_username", "accept_url", "ttl_days"}),
    MailKind.TEAM_MEMBER_ADDED: frozenset({"username", "team_name", "captain_username", "team_url"}),
    MailKind.TEAM_MEMBER_REMOVED: frozenset({"username", "team_name"}),
    MailKind.PASSWORD_RESET: frozenset({"username", "reset_url", "ttl_hours"}),
    MailKind.CAMPAIGN_RESULTS: frozenset(
        {"username", "campaign_title", "rank", "participants", "points_awarded", "scoreboard_url"}
    ),
    MailKind.CERTIFICATE_AWARDED: frozenset(
        {"username", "certificate_name", "awarded_on", "certificate_url"}
    ),
    MailKind.ASSESSMENT_INVITATION: ASSESSMENT_KEYS,
    MailKind.ASSESSMENT_REMINDER: ASSESSMENT_KEYS,
}
