"""Roles of an account as the identity provider asserts them."""

from common.identity import users


def user_roles(user) -> list[str]:
    """Every account is a learner; ``staff`` and ``admin`` come from its flags (as everywhere)."""
    return sorted({"learner", *users.user_roles(user)})
