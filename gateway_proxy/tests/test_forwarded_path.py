"""The path the client asked for reaches the service: its docs link themselves with it under a new prefix."""


def test_the_public_path_is_forwarded_and_a_clients_own_is_replaced(gateway, route, make_upstream, register):
    runner = make_upstream("runner")
    register("runner", runner.url)
    route(
        "/api/runner/",
        mode="extracted",
        legacy_service="",
        extracted_service="runner",
        extracted_prefix="/api/",
    )

    gateway.get("/api/runner/docs/", headers={"X-Forwarded-Path": "/evil/"})

    [seen] = runner.requests
    assert seen["path"] == "/api/docs/"
    assert seen["headers"]["X-Forwarded-Path"] == "/api/runner/docs/"
