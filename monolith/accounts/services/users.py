"""Accounts: registration and the user's own profile."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from common.errors import Conflict, ServiceError
from monolith.accounts.models import Language, User
from monolith.accounts.services.emails import email_address_add, email_in_use, email_normalize

#: Profile fields a user may change on their own account.
PROFILE_FIELDS = (
    "description",
    "preferred_language",
    "preferred_editing_language",
    "editor_theme",
    "editor_keymap",
)


@transaction.atomic
def user_register(
    *, username: str, email: str, password: str, preferred_language: str = Language.ENGLISH
) -> User:
    """Create an account with ``email`` as its first, primary, unverified address.

    The password must pass Django's configured validators (errors on
    ``password``); usernames and addresses are unique whatever their case.
    A verification mail is sent once the account is committed.
    """
    email = email_normalize(email)
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("A user with that username already exists.", field="username", code="username_taken")
    if email_in_use(email):
        raise Conflict("This email address is already in use.", field="email", code="email_taken")
    user = User(username=username, email=email, preferred_language=preferred_language)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password", code="weak_password") from None
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # A concurrent registration took the username between the check and the insert.
        raise Conflict(
            "A user with that username already exists.", field="username", code="username_taken"
        ) from None
    email_address_add(user=user, email=email, primary=True)
    return user


@transaction.atomic
def user_profile_update(*, user: User, data: dict) -> User:
    """Change the profile fields present in ``data`` (others are ignored).

    Values are checked against the model (choices, lengths) before saving.
    """
    changed = [name for name in PROFILE_FIELDS if name in data and getattr(user, name) != data[name]]
    for name in changed:
        setattr(user, name, data[name])
    if changed:
        try:
            user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in changed])
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise ServiceError(" ".join(messages), field=field) from None
        user.save(update_fields=changed)
    return user
