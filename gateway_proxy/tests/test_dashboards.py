"""The aggregated learner dashboard and the staff migration dashboard."""

import pytest
from django.contrib.auth import get_user_model

from gateway_proxy import services
from gateway_proxy.metrics import traffic
from gateway_proxy.models import Route, ShadowMismatch
from gateway_proxy.tests.conftest import assertion_of


@pytest.fixture
def parts(settings, route, monolith, shop):
    settings.GATEWAY_DASHBOARD_PART_TIMEOUT = 0.4
    route("/api/v1/shop/", mode="extracted", legacy_service="monolith", extracted_service="shop")
    return monolith, shop


def test_the_dashboard_answers_the_parts_that_succeeded_and_names_those_that_failed(gateway, parts, issuer):
    monolith, shop = parts
    monolith.mode, monolith.body = "json", {"username": "ada", "points": 120}
    shop.mode, shop.delay = "slow", 2.0

    response = gateway.get("/api/v1/dashboard", headers={"Authorization": f"Bearer {issuer.token(sub='9')}"})

    assert response.status == 200
    body = response.json()
    assert body["parts"] == {
        "account": {"username": "ada", "points": 120},
        "learning": {"username": "ada", "points": 120},
    }
    assert body["errors"] == {"shop": "timeout"}
    account_call = next(r for r in monolith.requests if r["path"] == "/api/v1/accounts/me")
    assert assertion_of(account_call, "monolith").user_id == "9"


def test_the_parts_are_fetched_in_parallel(gateway, parts, issuer, settings):
    import time

    monolith, shop = parts
    settings.GATEWAY_DASHBOARD_PART_TIMEOUT = 2.0
    monolith.mode = shop.mode = "slow"
    monolith.delay = shop.delay = 0.3

    started = time.monotonic()
    response = gateway.get("/api/v1/dashboard", headers={"Authorization": f"Bearer {issuer.token()}"})

    assert set(response.json()["parts"]) == {"account", "learning", "shop"}
    assert time.monotonic() - started < 0.6


def test_a_part_answering_an_error_is_named(gateway, parts, issuer):
    _monolith, shop = parts
    shop.mode, shop.status, shop.body = "json", 404, {"code": "not_found"}

    body = gateway.get("/api/v1/dashboard", headers={"Authorization": f"Bearer {issuer.token()}"}).json()

    assert body["errors"] == {"shop": "http_404"}


def test_the_dashboard_needs_a_logged_in_learner(gateway, parts):
    response = gateway.get("/api/v1/dashboard")

    assert response.status == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_user("root", is_staff=True)
    client.force_login(user)
    return client


def test_the_migration_dashboard_shows_modes_traffic_mismatches_and_the_audit_log(
    staff_client, route, monolith, shop
):
    shop_route = route("/api/v1/shop/", legacy_service="monolith", extracted_service="shop")
    services.route_update(route=shop_route, actor="cli:ops", mode=Route.Mode.CANARY, canary_percent=10)
    traffic.request(prefix="/api/v1/shop/", service="shop", status=200)
    traffic.request(prefix="/api/v1/shop/", service="shop", status=502)
    traffic.shadow(prefix="/api/v1/shop/", service="shop", mismatched=True)
    ShadowMismatch.objects.create(
        route_prefix="/api/v1/shop/", method="GET", path="/api/v1/shop/items", legacy_status=200,
        extracted_status=200, differences=[{"path": "$.price", "legacy": 10, "extracted": 12}],
    )  # fmt: skip

    page = staff_client.get("/gateway/dashboard/").content.decode()

    assert "canary" in page
    assert "10.00 %" in page
    assert "50.0 %" in page  # shop: one 5xx out of two requests
    assert "$.price: 10 → 12" in page
    assert "cli:ops" in page
    assert "mode legacy → canary" in page
    assert "100.0 %" in page  # shadow mismatch rate of the route


def test_the_migration_dashboard_is_for_staff_only(client, db):
    anonymous = client.get("/gateway/dashboard/")
    learner = get_user_model().objects.create_user("ada")
    client.force_login(learner)

    signed_in = client.get("/gateway/dashboard/")

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/oidc/authenticate/")
    assert signed_in.status_code == 403


def test_the_front_page_sends_a_visitor_to_the_catalogue_page(gateway, db):
    response = gateway.get("/")

    assert response.status == 302
    assert ("Location", "/learn/") in response.headers
