"""A token in a query string is refused by the gateway on every path, before anything sees it."""

import pytest


@pytest.mark.parametrize(
    "target",
    [
        "/api/v1/accounts/me?access_token=abc",
        "/api/v1/accounts/me?x=1&ACCESS_TOKEN=abc&access_token=abc",
        "/o/userinfo/?access_token=abc",
        "/gateway/dashboard/?access_token=abc",
        "/?id_token=abc",
        "/api/v1/x?refresh_token=abc",
    ],
)
def test_a_credential_in_the_query_string_is_400_and_never_forwarded(gateway, route, monolith, target):
    route("/api/v1/", legacy_service="monolith")
    route("/o/", legacy_service="monolith")

    response = gateway.get(target)

    assert response.status == 400
    assert response.json()["code"] == "token_in_query"
    assert monolith.requests == []


def test_a_query_merely_mentioning_a_token_is_forwarded(gateway, route, monolith):
    route("/api/v1/", legacy_service="monolith")

    response = gateway.get("/api/v1/x?q=access_token&token_count=2")

    assert response.status == 200
    assert len(monolith.requests) == 1
