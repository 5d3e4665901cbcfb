import pytest

from common.registry.base import Instance, NoInstance, UnknownService
from common.registry.static import DEV_DEFAULTS, StaticRegistry


def test_services_come_from_service_url_variables_over_the_dev_defaults():
    registry = StaticRegistry.from_environ(
        {"SERVICE_URL_RUNNER": "http://10.0.0.5:9000", "PATH": "/bin"}, defaults=DEV_DEFAULTS
    )

    assert registry.choose("runner").url == "http://10.0.0.5:9000"
    assert registry.choose("monolith").url == "http://127.0.0.1:8001"


def test_several_instances_are_chosen_round_robin():
    registry = StaticRegistry.from_environ({"SERVICE_URL_SHOP": "http://127.0.0.1:1, http://127.0.0.1:2"})

    chosen = [registry.choose("shop").port for _ in range(4)]

    assert chosen == [1, 2, 1, 2]


def test_an_unregistered_service_is_unknown():
    registry = StaticRegistry.from_environ({}, defaults={})

    with pytest.raises(UnknownService):
        registry.choose("evil")
    assert not registry.knows("evil")


def test_a_service_with_no_instance_is_known_but_unavailable():
    registry = StaticRegistry({"mailer": []})

    assert registry.knows("mailer")
    with pytest.raises(NoInstance):
        registry.choose("mailer")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1:21",
        "http://127.0.0.1:8001/api",
        "http://user:pw@127.0.0.1:1",
        "127.0.0.1:8001",
        "http://",
    ],
)
def test_an_instance_url_names_only_scheme_host_and_port(url):
    with pytest.raises(ValueError, match=r"URL|must name"):
        Instance("runner", url)
