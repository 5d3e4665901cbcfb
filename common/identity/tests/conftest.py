import pytest

from common.identity import keys


@pytest.fixture(scope="session")
def gateway_key_pem() -> str:
    return keys.generate_private_pem()


@pytest.fixture(scope="session")
def intruder_key_pem() -> str:
    return keys.generate_private_pem()


@pytest.fixture(scope="session")
def monolith_key_pem() -> str:
    return keys.generate_private_pem()


@pytest.fixture
def service_keys(settings, gateway_key_pem, monolith_key_pem):
    """This process is the monolith, signing its calls with ``monolith_key_pem``, and
    trusts the gateway's key and the monolith's as a caller (as the runner does)."""
    settings.SERVICE_NAME = "monolith"
    settings.GATEWAY_ASSERTION_PUBLIC_KEY = keys.public_pem(gateway_key_pem)
    settings.SERVICE_ASSERTION_PRIVATE_KEY = monolith_key_pem
    settings.SERVICE_ASSERTION_CALLERS = ["monolith"]
    settings.SERVICE_ASSERTION_PUBLIC_KEYS = {"monolith": keys.public_pem(monolith_key_pem)}
    return monolith_key_pem


@pytest.fixture
def assertion_keys(settings, gateway_key_pem):
    """This service trusts ``gateway_key_pem`` and nothing else."""
    settings.GATEWAY_ASSERTION_PRIVATE_KEY = gateway_key_pem
    settings.GATEWAY_ASSERTION_PUBLIC_KEY = keys.public_pem(gateway_key_pem)
    settings.SERVICE_NAME = "monolith"
    return gateway_key_pem
