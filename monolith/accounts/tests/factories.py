import secrets
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from monolith.accounts.tokens import token_hash

DEFAULT_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)
    preferred_language = "en"

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class EmailAddressFactory(factory.django.DjangoModelFactory):
    """An address of ``user``; verified unless told otherwise."""

    class Meta:
        model = "accounts.EmailAddress"

    user = factory.SubFactory(UserFactory)
    email = factory.Sequence(lambda n: f"address{n}@example.com")
    verified = True
    verified_at = factory.LazyFunction(timezone.now)


def verified_primary_email(user, email: str | None = None):
    """Give ``user`` (from ``UserFactory``) a verified primary address equal to ``user.email``."""
    if email is not None:
        user.email = email
        user.save(update_fields=["email"])
    return EmailAddressFactory(user=user, email=user.email, primary=True)


class TeamFactory(factory.django.DjangoModelFactory):
    """A team whose captain is also its first member."""

    class Meta:
        model = "accounts.Team"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")
    captain = factory.SubFactory(UserFactory)

    @factory.post_generation
    def _captain_membership(obj, create, extracted, **kwargs):
        if create:
            obj.memberships.create(user=obj.captain)


class TeamInvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation; create it with ``make_invitation`` to know its token."""

    class Meta:
        model = "accounts.TeamInvitation"

    class Params:
        token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))

    team = factory.SubFactory(TeamFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    invited_by = factory.SelfAttribute("team.captain")
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def make_invitation(**kwargs):
    """A pending invitation (see ``TeamInvitationFactory``) and its clear token."""
    token = kwargs.pop("token", None) or secrets.token_urlsafe(32)
    return TeamInvitationFactory(token=token, **kwargs), token
