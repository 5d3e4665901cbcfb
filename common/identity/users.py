"""Turning a verified identity into ``request.user`` for a service.

``IDENTITY_USER_RESOLVER`` names the function a service uses:

- ``asserted_user`` (default): a user object built from the assertion alone, for
  services that own no accounts (runner, mailer, shop);
- ``local_user``: the service's own account of that username, created on first
  sight (the monolith, which owns accounts).

For Django's own views (the admin, pages), ``GatewayAssertionMiddleware`` sets
``request.user`` with ``IDENTITY_PAGE_USER_RESOLVER``: the monolith's account
(``local_user``) there; elsewhere ``mirrored_user``, a local row for staff and
admins (the admin needs one: permissions, log entries), flags from the roles.

The other way round, ``IDENTITY_ROLES_RESOLVER`` names the function giving the
roles of a local account when this service asserts it to another one
(``common.identity.service``); the default, ``user_roles``, reads them from the
account's flags.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.module_loading import import_string

from common.identity.assertion import Identity, InvalidAssertion


@dataclass(frozen=True)
class AssertedUser:
    """An authenticated caller known only through the gateway's assertion."""

    id: int | str
    username: str
    email: str = ""
    roles: tuple[str, ...] = ()

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False

    @property
    def pk(self):
        return self.id

    @property
    def is_staff(self) -> bool:
        return "staff" in self.roles or "admin" in self.roles

    def get_username(self) -> str:
        return self.username

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_perms(self, perm_list, obj=None) -> bool:
        return False

    def has_module_perms(self, app_label) -> bool:
        return False

    def __str__(self) -> str:
        return self.username


def asserted_user(identity: Identity) -> AssertedUser:
    user_id: int | str = int(identity.user_id) if identity.user_id.isdigit() else identity.user_id
    return AssertedUser(id=user_id, username=identity.username, email=identity.email, roles=identity.roles)


def local_user(identity: Identity):
    """The local account of ``identity.username`` (created as a plain account if new)."""
    if not identity.username:
        raise InvalidAssertion("Identity assertion names no user.")
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        **{user_model.USERNAME_FIELD: identity.username}, defaults={"email": identity.email}
    )
    if not user.is_active:
        raise InvalidAssertion("This account is disabled.", code="account_disabled")
    return user


STAFF_ROLES = frozenset({"staff", "admin"})


def mirrored_user(identity: Identity):
    """A staff or admin identity as a local account of this service; anyone else as an ``AssertedUser``.

    ``admin`` makes a superuser, ``staff`` a staff member (with the permissions this
    service grants its staff, if any); the flags follow the roles at every request,
    so a role withdrawn at the identity provider is withdrawn here too.
    """
    if not STAFF_ROLES & set(identity.roles) or not identity.username:
        return asserted_user(identity)
    user_model = get_user_model()
    flags = {"is_staff": True, "is_superuser": "admin" in identity.roles, "is_active": True}
    user, created = user_model.objects.get_or_create(
        **{user_model.USERNAME_FIELD: identity.username}, defaults={"email": identity.email, **flags}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif any(getattr(user, name) != value for name, value in flags.items()):
        for name, value in flags.items():
            setattr(user, name, value)
        user.save(update_fields=list(flags))
    return user


def user_roles(user) -> list[str]:
    """The roles a user object carries (an ``AssertedUser``'s), else ``staff``/``admin`` from its flags."""
    own = getattr(user, "roles", None)
    if own is not None:
        return sorted(str(role) for role in own)
    roles = set()
    if getattr(user, "is_staff", False):
        roles.add("staff")
    if getattr(user, "is_superuser", False):
        roles.add("admin")
    return sorted(roles)


@lru_cache(maxsize=4)
def _resolver(path: str):
    return import_string(path)


def resolve_user(identity: Identity):
    path = getattr(settings, "IDENTITY_USER_RESOLVER", "common.identity.users.asserted_user")
    return _resolver(path)(identity)


def resolve_page_user(identity: Identity):
    path = getattr(settings, "IDENTITY_PAGE_USER_RESOLVER", "common.identity.users.mirrored_user")
    return _resolver(path)(identity)


def resolve_roles(user) -> tuple[str, ...]:
    path = getattr(settings, "IDENTITY_ROLES_RESOLVER", "common.identity.users.user_roles")
    return tuple(_resolver(path)(user))
