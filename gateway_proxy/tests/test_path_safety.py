"""Path tricks and Host games never reach a host that is not a registered service.

A "trap" server listens on a loopback port that no service is registered on;
every test checks it received nothing.
"""

import pytest

from gateway_proxy.tests.conftest import assertion_of


@pytest.fixture
def trap(make_upstream):
    return make_upstream("trap")


@pytest.fixture
def api(route, monolith):
    route("/api/v1/", legacy_service="monolith")
    return monolith


@pytest.mark.parametrize(
    "target",
    [
        "/api/v1/../admin/",
        "/api/v1/%2e%2e/admin/",
        "/api/v1/.%2E/admin/",
        "/api/v1/a%2Fb",
        "/api/v1/a%2fb",
        "/api/v1/a%5Cb",
        "/api/v1/a\\..\\b",
        "/api/v1/./x",
        "/api/v1//x",
        "//evil.example/api/v1/x",
        "/api/v1/%00",
        "/api/v1/%0d%0aX-Evil:%201",
    ],
)
def test_ambiguous_paths_are_refused(gateway, api, trap, target):
    response = gateway.get(target)

    assert response.status == 400
    assert response.json()["code"] == "invalid_path"
    assert api.requests == []
    assert trap.requests == []


def test_an_absolute_uri_target_is_routed_by_its_path_only(gateway, api, trap):
    response = gateway.get(f"http://127.0.0.1:{trap.port}/api/v1/x?y=1")

    assert response.status == 200
    assert api.requests[-1]["path"] == "/api/v1/x?y=1"
    assert trap.requests == []


def test_a_host_header_naming_another_server_does_not_redirect_the_request(gateway, api, trap):
    response = gateway.get("/api/v1/x", headers={"Host": f"127.0.0.1:{trap.port}"})

    assert response.status == 200
    assert api.requests[-1]["headers"]["Host"] == f"127.0.0.1:{api.port}"
    assert trap.requests == []


def test_a_host_that_is_not_served_is_refused(gateway, api, trap):
    response = gateway.get("/api/v1/x", headers={"Host": "evil.example"})

    assert response.status == 400
    assert response.json()["code"] == "invalid_host"
    assert api.requests == []


def test_percent_encoded_letters_are_decoded_before_routing(gateway, route, monolith, shop):
    route("/api/v1/shop/", mode="extracted", legacy_service="monolith", extracted_service="shop")

    gateway.get("/api/v1/%73hop/items%20list")

    assert shop.requests[-1]["path"] == "/api/v1/shop/items%20list"
    assert monolith.requests == []


def test_the_upstream_is_always_a_registered_instance(gateway, api, trap):
    gateway.get(f"/api/v1/@127.0.0.1:{trap.port}/x")
    gateway.get(f"/api/v1/http:/127.0.0.1:{trap.port}/x")

    assert len(api.requests) == 2
    assert trap.requests == []
    assert assertion_of(api.requests[-1], "monolith").anonymous
