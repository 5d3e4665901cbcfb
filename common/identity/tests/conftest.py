import pytest

from common.identity import keys


@pytest.fixture(scope="session")
def gateway_key_pem() -> str:
    return keys.generate_private_pem()


@pytest.fixture(scope="session")
def intruder_key_pem() -> str:
    return keys.generate_private_pem()


@pytest.fixture
def assertion_keys(settings, gateway_key_pem):
    """This service trusts ``gateway_key_pem`` and nothing else."""
    settings.GATEWAY_ASSERTION_PRIVATE_KEY = gateway_key_pem
    settings.GATEWAY_ASSERTION_PUBLIC_KEY = keys.public_pem(gateway_key_pem)
    settings.SERVICE_NAME = "monolith"
    return gateway_key_pem
