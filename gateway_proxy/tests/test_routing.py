"""Route modes: canary stickiness and distribution, flips without restart, the audit log."""

import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gateway_proxy.models import Route, RouteChange
from gateway_proxy.routing import RouteSnapshot

USERS = [str(i) for i in range(1, 10_001)]


def snapshot(percent: str, salt: str = "shop-salt") -> RouteSnapshot:
    route = Route(
        prefix="/api/v1/shop/",
        mode=Route.Mode.CANARY,
        legacy_service="monolith",
        extracted_service="shop",
        canary_percent=Decimal(percent),
        canary_salt=salt,
    )
    return RouteSnapshot.from_model(route)


def in_canary(route: RouteSnapshot) -> set[str]:
    return {
        u for u in USERS if route.choose(method="GET", canary_key=lambda u=u: f"u:{u}")[0].side == "extracted"
    }


def test_ten_percent_of_ten_thousand_users_go_to_the_extracted_service():
    share = len(in_canary(snapshot("10"))) / len(USERS)

    assert 0.08 <= share <= 0.12


def test_raising_the_percentage_never_moves_a_user_back():
    first_ten = in_canary(snapshot("10"))
    twenty = in_canary(snapshot("20"))

    assert first_ten <= twenty
    assert 0.18 <= len(twenty) / len(USERS) <= 0.22


def test_a_user_always_gets_the_same_side():
    route = snapshot("50")

    sides = {route.choose(method="GET", canary_key=lambda: "u:1234")[0].side for _ in range(20)}

    assert len(sides) == 1


def test_zero_and_hundred_percent_are_all_or_nothing():
    assert in_canary(snapshot("0")) == set()
    assert len(in_canary(snapshot("100"))) == len(USERS)


@pytest.fixture
def shop_route(route, monolith, shop):
    return route("/api/v1/shop/", mode="canary", legacy_service="monolith", extracted_service="shop",
                 canary_percent=Decimal("50"), canary_salt="fixed")  # fmt: skip


def test_a_canary_request_follows_its_user_through_the_gateway(gateway, shop_route, monolith, shop, issuer):
    expected = {u: snapshot("50", "fixed").in_canary(f"u:{u}") for u in ("1", "2", "3", "4", "5", "6")}

    for user, to_extracted in expected.items():
        for _ in range(2):
            answer = gateway.get(
                "/api/v1/shop/items", headers={"Authorization": f"Bearer {issuer.token(sub=user)}"}
            )
            assert answer.json()["service"] == ("shop" if to_extracted else "monolith")


def test_an_anonymous_visitor_is_kept_on_one_side_by_a_cookie(gateway, shop_route):
    first = gateway.get("/api/v1/shop/items", REMOTE_ADDR="10.0.0.7")
    cookie = first.header("Set-Cookie").split(";")[0]

    sides = {
        gateway.get("/api/v1/shop/items", headers={"Cookie": cookie}, REMOTE_ADDR=f"10.9.9.{i}").json()[
            "service"
        ]
        for i in range(10)
    }

    assert sides == {first.json()["service"]}


def test_a_flip_takes_effect_without_a_restart_and_is_audited(gateway, route, monolith, shop, settings):
    route("/api/v1/shop/", legacy_service="monolith", extracted_service="shop")
    assert gateway.get("/api/v1/shop/items").json()["service"] == "monolith"

    call_command("route", "set", "/api/v1/shop/", "--mode", "extracted", "--reason", "go", "--actor", "ops")
    time.sleep(settings.GATEWAY_ROUTE_TTL + 0.05)

    assert gateway.get("/api/v1/shop/items").json()["service"] == "shop"
    change = RouteChange.objects.filter(prefix="/api/v1/shop/", action="update").get()
    assert change.actor == "cli:ops"
    assert change.reason == "go"
    assert (change.before["mode"], change.after["mode"]) == ("legacy", "extracted")

    call_command("route", "set", "/api/v1/shop/", "--mode", "legacy", "--actor", "ops")
    time.sleep(settings.GATEWAY_ROUTE_TTL + 0.05)
    assert gateway.get("/api/v1/shop/items").json()["service"] == "monolith"
    assert RouteChange.objects.filter(prefix="/api/v1/shop/", action="update").count() == 2


def test_a_change_made_elsewhere_is_seen_once_the_cache_expires(gateway, route, monolith, shop, settings):
    route("/api/v1/shop/", legacy_service="monolith", extracted_service="shop")
    settings.GATEWAY_ROUTE_TTL = 60
    assert gateway.get("/api/v1/shop/items").json()["service"] == "monolith"

    Route.objects.filter(prefix="/api/v1/shop/").update(mode="extracted")  # as another process would

    assert gateway.get("/api/v1/shop/items").json()["service"] == "monolith"  # cached
    settings.GATEWAY_ROUTE_TTL = 0.05
    time.sleep(0.1)
    assert gateway.get("/api/v1/shop/items").json()["service"] == "shop"


def test_an_invalid_change_is_refused_naming_the_field(db, monolith):
    with pytest.raises(CommandError, match="extracted_service"):
        call_command("route", "set", "/api/v1/accounts/", "--mode", "extracted")
    with pytest.raises(CommandError, match="canary_percent"):
        call_command("route", "set", "/api/v1/shop/", "--mode", "canary", "--percent", "150")
    assert not RouteChange.objects.exclude(actor="migration").exists()


def test_an_admin_change_goes_through_the_audit_log(client, db, monolith, shop):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    shop_route = Route.objects.get(prefix="/api/v1/shop/")
    form = {
        "prefix": shop_route.prefix, "mode": "canary", "legacy_service": "monolith", "legacy_prefix": "",
        "extracted_service": "shop", "extracted_prefix": "", "canary_percent": "5", "canary_salt": "s",
        "timeout_seconds": "30", "retries": "1", "shadow_ignore_fields": "[]", "rate_limit_user": "",
        "rate_limit_ip": "", "max_body_bytes": "",
    }  # fmt: skip

    response = client.post(f"/gateway/admin/gateway/route/{shop_route.pk}/change/", form)

    assert response.status_code == 302
    change = RouteChange.objects.get(prefix="/api/v1/shop/", action="update")
    assert change.actor == "admin:root"
    assert change.after["canary_percent"] == "5.00"


def test_an_anonymous_visitor_cannot_choose_a_canary_side_with_a_crafted_cookie(gateway, shop_route):
    salted = snapshot("50", "fixed")
    # Visitor ids that would put a visitor on each side, if the gateway believed them.
    on_shop = next(f"{i:032x}" for i in range(100) if salted.in_canary(f"v:{i:032x}"))
    on_monolith = next(f"{i:032x}" for i in range(100) if not salted.in_canary(f"v:{i:032x}"))
    own_side = gateway.get("/api/v1/shop/items", REMOTE_ADDR="10.0.0.7").json()["service"]

    sides = {
        gateway.get(
            "/api/v1/shop/items", headers={"Cookie": f"gw_canary={crafted}"}, REMOTE_ADDR="10.0.0.7"
        ).json()["service"]
        for crafted in (on_shop, on_monolith, f"{on_shop}:forged-signature")
    }

    assert sides == {own_side}
