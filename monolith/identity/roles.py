"""Roles of an account as the identity provider asserts them."""


def user_roles(user) -> list[str]:
    roles = {"learner"}
    if user.is_staff:
        roles.add("staff")
    if user.is_superuser:
        roles.add("admin")
    return sorted(roles)
