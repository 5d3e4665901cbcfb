import base64
import json
import time

import jwt
import pytest

from common.identity import keys
from common.identity.assertion import Identity, InvalidAssertion, issue, verify

ADA = Identity(
    user_id="7", username="ada", email="ada@example.com", roles=("learner",), request_id="req-12345678"
)


def test_an_assertion_for_this_service_verifies_once_with_its_identity(assertion_keys):
    token = issue(ADA, audience="monolith")

    identity = verify(token)

    assert identity == ADA
    assert not identity.anonymous


def test_an_anonymous_assertion_carries_no_user(assertion_keys):
    identity = verify(issue(Identity(request_id="req-12345678"), audience="monolith"))

    assert identity.anonymous
    assert identity.request_id == "req-12345678"


def test_an_assertion_signed_by_another_key_is_refused(assertion_keys, intruder_key_pem):
    forged = issue(ADA, audience="monolith", private_pem=intruder_key_pem)

    with pytest.raises(InvalidAssertion) as exc:
        verify(forged)
    assert exc.value.code == "assertion_invalid"


def test_a_forged_assertion_reusing_the_gateway_kid_is_refused(assertion_keys, intruder_key_pem):
    genuine_kid = jwt.get_unverified_header(issue(ADA, audience="monolith"))["kid"]
    intruder = keys.load_private_key(intruder_key_pem)
    now = int(time.time())
    claims = {
        "iss": "polycode-gateway",
        "aud": "monolith",
        "iat": now,
        "exp": now + 30,
        "jti": "x",
        "sub": "1",
    }
    forged = jwt.encode(claims, intruder, algorithm="EdDSA", headers={"kid": genuine_kid})

    with pytest.raises(InvalidAssertion, match="does not verify"):
        verify(forged)


def test_a_tampered_payload_is_refused(assertion_keys):
    header, payload, signature = issue(ADA, audience="monolith").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["roles"] = ["staff"]
    tampered_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    with pytest.raises(InvalidAssertion):
        verify(f"{header}.{tampered_payload}.{signature}")


def test_an_unsigned_or_hmac_assertion_is_refused(assertion_keys):
    now = int(time.time())
    claims = {
        "iss": "polycode-gateway",
        "aud": "monolith",
        "iat": now,
        "exp": now + 30,
        "jti": "y",
        "sub": "1",
    }
    unsigned = jwt.encode(claims, None, algorithm="none")
    hmac = jwt.encode(claims, "guessable-secret-of-32-bytes-or-more!", algorithm="HS256")

    for token in (unsigned, hmac):
        with pytest.raises(InvalidAssertion, match="unexpected algorithm"):
            verify(token)


def test_an_expired_assertion_is_refused(assertion_keys):
    stale = issue(ADA, audience="monolith", ttl=10, now=time.time() - 60)

    with pytest.raises(InvalidAssertion) as exc:
        verify(stale)
    assert exc.value.code == "assertion_expired"


def test_an_assertion_for_another_service_is_refused(assertion_keys):
    for_the_shop = issue(ADA, audience="shop")

    with pytest.raises(InvalidAssertion) as exc:
        verify(for_the_shop)
    assert exc.value.code == "assertion_wrong_audience"


def test_a_replayed_assertion_is_refused(assertion_keys):
    token = issue(ADA, audience="monolith")
    verify(token)

    with pytest.raises(InvalidAssertion) as exc:
        verify(token)
    assert exc.value.code == "assertion_replayed"


def test_garbage_is_refused(assertion_keys):
    with pytest.raises(InvalidAssertion, match="Malformed"):
        verify("not-a-jwt")


def test_the_gateway_cannot_issue_long_lived_assertions(assertion_keys):
    with pytest.raises(ValueError, match="ttl"):
        issue(ADA, audience="monolith", ttl=3600)


def test_a_rotated_key_set_accepts_both_keys(settings, gateway_key_pem, intruder_key_pem):
    next_key = intruder_key_pem
    settings.SERVICE_NAME = "monolith"
    settings.GATEWAY_ASSERTION_PUBLIC_KEY = keys.public_pem(gateway_key_pem) + keys.public_pem(next_key)

    assert verify(issue(ADA, audience="monolith", private_pem=gateway_key_pem)) == ADA
    assert verify(issue(ADA, audience="monolith", private_pem=next_key)) == ADA


def test_production_refuses_to_fall_back_to_a_dev_key(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.GATEWAY_ASSERTION_PUBLIC_KEY = ""
    settings.GATEWAY_ASSERTION_DEV_KEYS = False

    with pytest.raises(ImproperlyConfigured):
        verify(issue(ADA, audience="monolith", private_pem=keys.generate_private_pem()))


def test_the_dev_key_pair_is_created_once_and_shared(tmp_path):
    first = keys.dev_private_pem(tmp_path)
    second = keys.dev_private_pem(tmp_path)

    assert first == second
    assert oct((tmp_path / keys.DEV_KEY_FILENAME).stat().st_mode)[-3:] == "600"
