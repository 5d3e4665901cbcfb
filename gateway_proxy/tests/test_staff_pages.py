"""The gateway's own staff pages: roles become flags and route permissions; a 403 is quiet."""

import logging

import pytest
from django.contrib.auth import get_user_model

from gateway_proxy.auth.oidc import GatewayOIDCBackend
from gateway_proxy.models import Route, RouteChange

pytestmark = pytest.mark.django_db


def signed_in_with_roles(client, roles: list[str], username: str = "ada"):
    """What the OIDC login does to the account, then a session of that account."""
    backend = GatewayOIDCBackend()
    backend.token_response = {"access_token": "a", "expires_in": 300}
    claims = {"sub": "7", "preferred_username": username, "email": f"{username}@example.com", "roles": roles}
    user = backend.update_user(get_user_model().objects.create_user(username), claims)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.parametrize(
    ("roles", "staff", "superuser"),
    [(["learner", "staff"], True, False), (["admin"], True, True), (["learner"], False, False)],
)
def test_roles_become_the_accounts_flags(client, roles, staff, superuser):
    user = signed_in_with_roles(client, roles)

    assert (user.is_staff, user.is_superuser) == (staff, superuser)
    assert user.has_perm("gateway.change_route") == staff


def test_a_staff_member_changes_a_route_in_the_admin(client, monolith, shop):
    signed_in_with_roles(client, ["learner", "staff"])
    route = Route.objects.get(prefix="/api/v1/shop/")

    changelist = client.get("/gateway/admin/gateway/route/")
    form = client.get(f"/gateway/admin/gateway/route/{route.pk}/change/")
    changed = client.post(
        f"/gateway/admin/gateway/route/{route.pk}/change/",
        {**form.context["adminform"].form.initial, "mode": "shadow", "shadow_ignore_fields": "[]",
         "rate_limit_user": "", "rate_limit_ip": "", "max_body_bytes": "", "reason": "shadow the shop"},
    )  # fmt: skip

    assert changelist.status_code == 200
    assert b"permission" not in changelist.content.lower().split(b"<body")[1][:2000]
    assert changed.status_code == 302, changed.content[:2000]
    route.refresh_from_db()
    assert route.mode == "shadow"
    assert RouteChange.objects.filter(prefix="/api/v1/shop/", actor__contains="ada").exists()


def test_a_learner_on_a_staff_page_gets_a_403_and_no_traceback_in_the_log(client, caplog):
    signed_in_with_roles(client, ["learner"])

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/gateway/dashboard/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is None


def test_the_shop_and_mailer_admins_have_routes_to_their_services():
    routes = {
        r.prefix: (r.mode, r.extracted_service) for r in Route.objects.filter(prefix__contains="/admin/")
    }
    static = {r.prefix: r.extracted_service for r in Route.objects.filter(prefix__endswith="/static/")}

    assert routes["/shop/admin/"] == ("extracted", "shop")
    assert routes["/mailer/admin/"] == ("extracted", "mailer")
    assert static["/shop/static/"] == "shop"
    assert static["/mailer/static/"] == "mailer"


def test_a_route_naming_an_unknown_service_shows_the_error_next_to_the_field(client, monolith, shop):
    signed_in_with_roles(client, ["staff"])
    route = Route.objects.get(prefix="/api/v1/shop/")
    form = client.get(f"/gateway/admin/gateway/route/{route.pk}/change/").context["adminform"].form

    response = client.post(
        f"/gateway/admin/gateway/route/{route.pk}/change/",
        {**form.initial, "extracted_service": "ghost", "shadow_ignore_fields": "[]",
         "rate_limit_user": "", "rate_limit_ip": "", "max_body_bytes": ""},
    )  # fmt: skip

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["extracted_service"] == [
        "No service named 'ghost' is registered."
    ]
    route.refresh_from_db()
    assert route.extracted_service == "shop"
