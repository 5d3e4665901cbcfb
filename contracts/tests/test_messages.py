"""Every message contract: examples, envelope rules, and what is refused."""

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import ValidationError

import contracts
from contracts.mail import CONTEXTS, MAIL_REQUESTED_V1, MailKind

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "contracts" / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*/*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def example(kind: str) -> dict:
    return load(EXAMPLES / "mail.requested.v1" / f"{kind}.json")


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_example_satisfies_its_contract_and_round_trips_unchanged(path):
    raw = load(path)
    message = contracts.parse(path.read_text())
    assert f"{message.envelope.type}.v{message.envelope.version}" == path.parent.name
    assert message.to_json_dict() == raw


def test_every_registered_message_has_an_example():
    folders = {p.parent.name for p in EXAMPLE_FILES}
    assert {f"{spec.type}.v{spec.version}" for spec in contracts.registered()} <= folders


def test_every_mail_kind_has_an_example_and_a_context_model():
    kinds = {load(p)["payload"]["kind"] for p in (EXAMPLES / "mail.requested.v1").glob("*.json")}
    assert kinds == set(MailKind)
    assert set(CONTEXTS) == set(MailKind)


def test_mail_requested_is_consumed_by_the_mailer_send_task_on_the_mailer_queue():
    assert (MAIL_REQUESTED_V1.task, MAIL_REQUESTED_V1.queue) == ("mailer.send", "mailer")


def test_build_wraps_a_valid_payload_in_a_new_envelope():
    payload = example("team_member_removed")["payload"]
    message = contracts.build(MAIL_REQUESTED_V1, payload, producer="monolith", correlation_id="req-9")
    again = contracts.build(MAIL_REQUESTED_V1, payload, producer="monolith")
    assert message.id != again.id
    assert message.envelope.occurred_at.tzinfo is not None
    assert message.envelope.payload == payload
    assert message.payload.context.team_name == "Rock & Roll"


def test_messages_are_immutable():
    message = contracts.parse(example("team_member_removed"))
    with pytest.raises(ValidationError):
        message.envelope.producer = "someone else"
    with pytest.raises(ValidationError):
        message.payload.language = "en"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda raw: raw["payload"].update(language="de"), "payload.language"),
        (lambda raw: raw["payload"].update(kind="newsletter"), "payload.kind"),
        (lambda raw: raw["payload"].pop("kind"), "payload.kind"),
        (lambda raw: raw["payload"].update(to="ada@example.com\nBcc: all@example.com"), "payload.to"),
        (lambda raw: raw["payload"].update(to="not-an-address"), "payload.to"),
        (lambda raw: raw["payload"].update(cc="grace@example.com"), "payload.cc"),
        (lambda raw: raw["payload"]["context"].update(tracking="x"), "payload.context.tracking"),
        (lambda raw: raw["payload"]["context"].pop("username"), "payload.context.username"),
        (lambda raw: raw["payload"]["context"].update(username=42), "payload.context.username"),
        (lambda raw: raw["payload"]["context"].update(username=""), "payload.context.username"),
        (lambda raw: raw["payload"]["context"].update(username="x" * 201), "payload.context.username"),
        (lambda raw: raw.update(message_id="not-a-uuid"), "message_id"),
        (lambda raw: raw.update(occurred_at="2024-05-17T09:30:00"), "occurred_at"),
        (lambda raw: raw.update(version=0), "version"),
        (lambda raw: raw.update(priority="high"), "priority"),
        (lambda raw: raw.pop("producer"), "producer"),
    ],
)
def test_a_message_breaking_its_contract_is_refused_naming_the_field(change, field):
    raw = example("team_member_removed")
    change(raw)
    with pytest.raises(contracts.ContractError) as caught:
        contracts.parse(json.dumps(raw))
    assert field in [e["field"] for e in caught.value.errors], caught.value.errors
    assert field in str(caught.value)


def test_context_values_are_not_coerced_from_another_type():
    payload = example("email_verification")["payload"]
    payload["context"]["ttl_hours"] = "48"
    with pytest.raises(contracts.ContractError, match=r"payload\.context\.ttl_hours"):
        contracts.build(MAIL_REQUESTED_V1, payload, producer="monolith")


def test_urls_in_context_must_be_absolute_http_urls():
    payload = example("team_member_added")["payload"]
    payload["context"]["team_url"] = "javascript:alert(1)"
    with pytest.raises(contracts.ContractError, match=r"payload\.context\.team_url"):
        contracts.build(MAIL_REQUESTED_V1, payload, producer="monolith")


@pytest.mark.parametrize(
    "raw", ["", "not json", "[1, 2]", b"\xff\xfe", 42, None, ["mail.requested"]], ids=repr
)
def test_garbage_is_refused_with_a_contract_error_not_a_crash(raw):
    with pytest.raises(contracts.ContractError):
        contracts.parse(raw)


def test_an_unknown_type_or_version_is_refused():
    raw = example("team_member_removed")
    raw["version"] = 2
    with pytest.raises(contracts.ContractError, match=r"unknown message type 'mail\.requested' version 2"):
        contracts.parse(raw)


def test_a_consumer_can_refuse_every_type_but_the_one_it_handles():
    other = contracts.messages.MessageSpec(
        type="test.pinged", version=1, payload=MAIL_REQUESTED_V1.payload, task="test.ping", queue="test"
    )
    contracts.messages.register(other)
    try:
        raw = {**example("team_member_removed"), "type": "test.pinged"}
        assert contracts.parse(raw).envelope.type == "test.pinged"
        with pytest.raises(contracts.ContractError, match=r"expected mail\.requested v1"):
            contracts.parse(raw, expect=MAIL_REQUESTED_V1)
    finally:
        contracts.messages._REGISTRY.pop(("test.pinged", 1))


def test_registering_a_published_version_twice_is_refused():
    clone = contracts.messages.MessageSpec(
        type="mail.requested", version=1, payload=MAIL_REQUESTED_V1.payload, task="x", queue="x"
    )
    with pytest.raises(ValueError, match="already registered"):
        contracts.messages.register(clone)


def test_message_id_of_reads_the_id_of_a_message_that_breaks_its_contract():
    message_id = uuid4()
    assert contracts.messages.message_id_of({"message_id": str(message_id), "type": 3}) == message_id
    assert contracts.messages.message_id_of(json.dumps({"message_id": str(message_id)})) == message_id
    assert contracts.messages.message_id_of("garbage") is None
    assert contracts.messages.message_id_of({"message_id": "nope"}) is None


def test_occurred_at_keeps_its_timezone_through_json():
    message = contracts.parse(example("purchase_receipt"))
    assert message.envelope.occurred_at == datetime.fromisoformat("2024-05-17T09:30:00+00:00")


def test_contracts_do_not_import_django():
    code = (
        "import sys, contracts; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'monolith', 'extracted', 'common')]; "
        "print(bad); sys.exit(bool(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
