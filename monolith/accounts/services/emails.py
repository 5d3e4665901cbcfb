"""Email addresses of a user and their verification.

A user owns several addresses; exactly one is primary once they have any,
and ``User.email`` always equals the primary address. Verification tokens
are single-use, expire after ``settings.EMAIL_VERIFICATION_TTL_HOURS`` and
are stored hashed.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.errors import Conflict, NotFound, ServiceError, TooManyRequests
from monolith.accounts.models import EmailAddress, EmailVerificationToken, User
from monolith.accounts.tokens import site_url, token_hash, token_new
from monolith.notifications.kinds import MailKind
from monolith.notifications.services import mail_request

#: A user cannot pile up more addresses than this (each one can receive mail from us).
MAX_EMAILS_PER_USER = 10
#: Minimum delay between two verification mails to one address.
RESEND_COOLDOWN = timedelta(seconds=60)


class Throttled(TooManyRequests):
    pass


def email_normalize(email: str) -> str:
    """Strip spaces and lowercase the domain part (the local part may be case-sensitive)."""
    return BaseUserManager.normalize_email(email.strip())


def email_in_use(email: str) -> bool:
    return EmailAddress.objects.filter(email__iexact=email).exists()


def _lock_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _reload(address: EmailAddress) -> EmailAddress:
    """The address as committed now, read after its owner's row is locked."""
    fresh = EmailAddress.objects.select_related("user").filter(pk=address.pk).first()
    if fresh is None:
        raise NotFound("No such email address.")
    return fresh


def email_verification_send(*, address: EmailAddress) -> None:
    """Issue a new verification token for ``address`` and mail its link.

    Earlier unused tokens of the address stop working: only the last mail
    sent counts.
    """
    now = timezone.now()
    address.verification_tokens.filter(used_at__isnull=True).update(used_at=now)
    token, digest = token_new()
    ttl_hours = settings.EMAIL_VERIFICATION_TTL_HOURS
    EmailVerificationToken.objects.create(
        email_address=address, token_hash=digest, expires_at=now + timedelta(hours=ttl_hours)
    )
    mail_request(
        kind=MailKind.EMAIL_VERIFICATION,
        to=address.email,
        language=address.user.preferred_language,
        context={
            "username": address.user.username,
            "email": address.email,
            "verify_url": site_url(f"emails/verify/{token}"),
            "ttl_hours": ttl_hours,
        },
    )


@transaction.atomic
def email_address_add(*, user: User, email: str, primary: bool = False) -> EmailAddress:
    """Add an unverified address to ``user`` and send its verification mail.

    ``primary`` is only for a user's first address (registration); later
    addresses become primary through ``email_address_make_primary`` once
    verified. Refuses an address used by any account, whatever its case.
    """
    email = email_normalize(email)
    user = _lock_user(user)
    if user.email_addresses.count() >= MAX_EMAILS_PER_USER:
        raise ServiceError(
            f"An account has at most {MAX_EMAILS_PER_USER} email addresses.", field="email", code="too_many"
        )
    if email_in_use(email):
        raise Conflict("This email address is already in use.", field="email", code="email_taken")
    if primary and user.email_addresses.filter(primary=True).exists():
        raise Conflict("This account already has a primary address.", field="email")
    try:
        with transaction.atomic():
            address = EmailAddress.objects.create(user=user, email=email, primary=primary)
    except IntegrityError:
        # Another account claimed the same address between the check and the insert.
        raise Conflict("This email address is already in use.", field="email", code="email_taken") from None
    if primary:
        user.email = email
        user.save(update_fields=["email"])
    email_verification_send(address=address)
    return address


@transaction.atomic
def email_address_verify(*, token: str) -> EmailAddress:
    """Mark the address the token was sent to as verified; the token is then spent.

    Unknown, used and expired tokens are refused with an error on ``token``.
    """
    record = (
        EmailVerificationToken.objects.select_for_update()
        .select_related("email_address")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if record is None:
        raise ServiceError("This verification link is not valid.", field="token", code="invalid_token")
    if record.used_at is not None:
        raise ServiceError("This verification link was already used.", field="token", code="token_used")
    if record.is_expired:
        raise ServiceError(
            "This verification link has expired; ask for a new one.", field="token", code="token_expired"
        )
    now = timezone.now()
    record.used_at = now
    record.save(update_fields=["used_at"])
    address = record.email_address
    if not address.verified:
        address.verified = True
        address.verified_at = now
        address.save(update_fields=["verified", "verified_at"])
    return address


@transaction.atomic
def email_verification_resend(*, address: EmailAddress) -> None:
    """Send a new verification mail for an unverified address (at most once a minute)."""
    _lock_user(address.user)
    address = _reload(address)
    if address.verified:
        raise Conflict("This address is already verified.", code="already_verified")
    last = address.verification_tokens.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and timezone.now() - last < RESEND_COOLDOWN:
        wait = RESEND_COOLDOWN - (timezone.now() - last)
        raise Throttled(
            "A verification mail was just sent; wait a minute before asking again.",
            retry_after=max(1, math.ceil(wait.total_seconds())),
        )
    email_verification_send(address=address)


@transaction.atomic
def email_address_make_primary(*, address: EmailAddress) -> EmailAddress:
    """Make a verified address the primary one and copy it to ``User.email``."""
    user = _lock_user(address.user)
    address = _reload(address)
    if not address.verified:
        raise Conflict("Only a verified address can become primary.", code="unverified")
    if not address.primary:
        user.email_addresses.filter(primary=True).update(primary=False)
        address.primary = True
        address.save(update_fields=["primary"])
    if user.email != address.email:
        user.email = address.email
        user.save(update_fields=["email"])
    address.user = user
    return address


@transaction.atomic
def email_address_delete(*, address: EmailAddress) -> None:
    """Delete a non-primary address (pending verification links die with it)."""
    _lock_user(address.user)
    address = _reload(address)
    if address.primary:
        raise Conflict(
            "The primary address cannot be deleted; make another verified address primary first.",
            code="primary_address",
        )
    address.delete()
