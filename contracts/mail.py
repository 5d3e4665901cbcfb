"""``mail.requested`` v1: a producer asks the mailer to send one email.

The payload names the kind of mail, the recipient, the language it is written
in and the values its templates need. Each kind has its own context model, so
a producer that forgets a value (or adds one the templates do not know) fails
when it writes the message, not when the mailer renders it. Context values are
plain JSON scalars, passed to the templates as they are: URLs and dates are
formatted by the producer.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictInt, StrictStr, StringConstraints, TypeAdapter

from contracts.messages import Contract, MessageSpec, register


class MailKind(StrEnum):
    EMAIL_VERIFICATION = "email_verification"
    TEAM_INVITATION = "team_invitation"
    TEAM_MEMBER_ADDED = "team_member_added"
    TEAM_MEMBER_REMOVED = "team_member_removed"
    PURCHASE_RECEIPT = "purchase_receipt"
    CERTIFICATE_AWARDED = "certificate_awarded"
    ASSESSMENT_INVITATION = "assessment_invitation"
    ASSESSMENT_REMINDER = "assessment_reminder"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of mail, not a password
    CAMPAIGN_RESULTS = "campaign_results"


LANGUAGES = ("en", "fr")
Language = Literal["en", "fr"]

_LOCAL_PART = re.compile(r"^[^\s@\"(),:;<>\[\\\]]{1,64}$")
_DOMAIN_LABEL = re.compile(r"^[^\W_](?:[\w-]{0,61}[^\W_])?$")


def _check_email(value: str) -> str:
    # Lenient on purpose (any address Django's validator accepts passes), strict
    # on what could break a mail header: whitespace, line breaks, a second "@".
    local, at, domain = value.rpartition("@")
    if (
        not at
        or not _LOCAL_PART.match(local)
        or ".." in local
        or local.startswith(".")
        or local.endswith(".")
    ):
        raise ValueError("not a valid email address")
    labels = domain.split(".")
    if len(domain) > 253 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise ValueError("not a valid email address")
    if len(labels) < 2 and domain != "localhost":
        raise ValueError("not a valid email address")
    return value


def _check_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/?#]+[^\s]*$", value):
        raise ValueError("not an absolute http(s) URL")
    return value


EmailAddress = Annotated[StrictStr, StringConstraints(max_length=254), AfterValidator(_check_email)]
Url = Annotated[StrictStr, StringConstraints(max_length=2000), AfterValidator(_check_url)]
Text = Annotated[StrictStr, StringConstraints(min_length=1, max_length=200)]
IsoDate = Annotated[StrictStr, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Count = Annotated[StrictInt, Field(ge=1, le=1_000_000)]
Points = Annotated[StrictInt, Field(ge=0)]


class EmailVerificationContext(Contract):
    username: Text
    email: EmailAddress
    verify_url: Url
    ttl_hours: Count


class TeamInvitationContext(Contract):
    team_name: Text
    inviter_username: Text
    accept_url: Url
    ttl_days: Count


class TeamMemberAddedContext(Contract):
    username: Text
    team_name: Text
    captain_username: Text
    team_url: Url


class TeamMemberRemovedContext(Contract):
    username: Text
    team_name: Text


class PurchaseReceiptContext(Contract):
    username: Text
    order_reference: Text
    item_name: Text
    quantity: Count
    total_points: Points
    balance_points: Points
    order_url: Url


class CertificateAwardedContext(Contract):
    username: Text
    certificate_name: Text
    awarded_on: IsoDate
    certificate_url: Url


class AssessmentInvitationContext(Contract):
    candidate_name: Text
    assessment_title: Text
    team_name: Text
    duration_minutes: Count
    expires_on: IsoDate
    start_url: Url


class AssessmentReminderContext(AssessmentInvitationContext):
    """The same values as the invitation, with a fresh link (the previous one stops working)."""


class PasswordResetContext(Contract):
    username: Text
    reset_url: Url
    ttl_hours: Count


class CampaignResultsContext(Contract):
    username: Text
    campaign_title: Text
    rank: Count
    participants: Count
    points_awarded: Points
    scoreboard_url: Url


class _Mail(Contract):
    to: EmailAddress
    language: Language


class EmailVerificationMail(_Mail):
    kind: Literal["email_verification"]
    context: EmailVerificationContext


class TeamInvitationMail(_Mail):
    kind: Literal["team_invitation"]
    context: TeamInvitationContext


class TeamMemberAddedMail(_Mail):
    kind: Literal["team_member_added"]
    context: TeamMemberAddedContext


class TeamMemberRemovedMail(_Mail):
    kind: Literal["team_member_removed"]
    context: TeamMemberRemovedContext


class PurchaseReceiptMail(_Mail):
    kind: Literal["purchase_receipt"]
    context: PurchaseReceiptContext


class CertificateAwardedMail(_Mail):
    kind: Literal["certificate_awarded"]
    context: CertificateAwardedContext


class AssessmentInvitationMail(_Mail):
    kind: Literal["assessment_invitation"]
    context: AssessmentInvitationContext


class AssessmentReminderMail(_Mail):
    kind: Literal["assessment_reminder"]
    context: AssessmentReminderContext


class PasswordResetMail(_Mail):
    kind: Literal["password_reset"]
    context: PasswordResetContext


class CampaignResultsMail(_Mail):
    kind: Literal["campaign_results"]
    context: CampaignResultsContext


MailRequestedV1 = Annotated[
    EmailVerificationMail
    | TeamInvitationMail
    | TeamMemberAddedMail
    | TeamMemberRemovedMail
    | PurchaseReceiptMail
    | CertificateAwardedMail
    | AssessmentInvitationMail
    | AssessmentReminderMail
    | PasswordResetMail
    | CampaignResultsMail,
    Field(discriminator="kind"),
]

#: The context model of every kind: its fields are exactly the template variables.
CONTEXTS: dict[MailKind, type[Contract]] = {
    MailKind.EMAIL_VERIFICATION: EmailVerificationContext,
    MailKind.TEAM_INVITATION: TeamInvitationContext,
    MailKind.TEAM_MEMBER_ADDED: TeamMemberAddedContext,
    MailKind.TEAM_MEMBER_REMOVED: TeamMemberRemovedContext,
    MailKind.PURCHASE_RECEIPT: PurchaseReceiptContext,
    MailKind.CERTIFICATE_AWARDED: CertificateAwardedContext,
    MailKind.ASSESSMENT_INVITATION: AssessmentInvitationContext,
    MailKind.ASSESSMENT_REMINDER: AssessmentReminderContext,
    MailKind.PASSWORD_RESET: PasswordResetContext,
    MailKind.CAMPAIGN_RESULTS: CampaignResultsContext,
}

MAIL_REQUESTED_V1 = register(
    MessageSpec(
        type="mail.requested",
        version=1,
        payload=TypeAdapter(MailRequestedV1),
        task="mailer.send",
        queue="mailer",
        description="Send one email of a known kind, in the recipient's language.",
        discriminator="kind",
    )
)
