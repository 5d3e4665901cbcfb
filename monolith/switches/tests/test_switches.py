"""The strangler switches exist from the first migration, and every change of one is audited."""

import uuid

import pytest
from django.core.management import call_command
from waffle import switch_is_active
from waffle.models import Switch

from common.identity import keys
from common.identity.assertion import META_KEY, Identity, issue
from common.identity.testing import control_plane_meta
from monolith import flags
from monolith.switches.models import SwitchChange

pytestmark = pytest.mark.django_db


def gateway_assertion() -> dict:
    return control_plane_meta(audience="monolith")


def test_every_switch_exists_off_after_migrating():
    assert dict(Switch.objects.filter(name__in=flags.ALL).values_list("name", "active")) == {
        name: False for name in flags.ALL
    }
    assert set(SwitchChange.objects.filter(actor="migration").values_list("name", flat=True)) == set(
        flags.ALL
    )


def test_waffle_switch_command_works_on_a_fresh_database_and_is_audited():
    call_command("waffle_switch", flags.PURCHASE_VIA_SAGA, "on")  # no --create: the migration made it
    assert switch_is_active(flags.PURCHASE_VIA_SAGA)
    change = SwitchChange.objects.filter(name=flags.PURCHASE_VIA_SAGA).first()
    assert (change.before, change.after) == (False, True)
    assert change.actor.startswith("cli")


def test_the_gateway_turns_a_switch_on_with_actor_and_reason(client):
    response = client.put(
        "/api/v1/switches/purchase_via_saga",
        {"active": True, "actor": "cli:ops", "reason": "canary 50"},
        content_type="application/json",
        **gateway_assertion(),
    )
    assert response.status_code == 200, response.content
    assert {"name": "purchase_via_saga", "active": True} in response.json()["switches"]
    change = SwitchChange.objects.filter(name=flags.PURCHASE_VIA_SAGA).first()
    assert (change.actor, change.before, change.after, change.reason) == ("cli:ops", False, True, "canary 50")
    assert response.json()["history"][0]["reason"] == "canary 50"


def test_setting_a_switch_to_its_state_records_nothing(client):
    before = SwitchChange.objects.count()
    response = client.put(
        "/api/v1/switches/mail_via_queue",
        {"active": False},
        content_type="application/json",
        **gateway_assertion(),
    )
    assert response.status_code == 200
    assert SwitchChange.objects.count() == before


def test_unknown_switch_is_refused_naming_the_field(client):
    response = client.put(
        "/api/v1/switches/everything_on",
        {"active": True},
        content_type="application/json",
        **gateway_assertion(),
    )
    assert response.status_code == 400
    assert "name" in response.json()["fields"]
    assert not Switch.objects.filter(name="everything_on").exists()


def test_a_bad_body_names_the_field(client):
    response = client.put(
        "/api/v1/switches/mail_via_queue",
        {"active": "maybe"},
        content_type="application/json",
        **gateway_assertion(),
    )
    assert response.status_code == 400
    assert "active" in response.json()["fields"]


def test_learners_cannot_move_switches_staff_can(learner_client, staff_client):
    body = {"active": True, "reason": "by hand"}
    assert learner_client.put("/api/v1/switches/mail_via_queue", body, format="json").status_code == 403
    assert not switch_is_active(flags.MAIL_VIA_QUEUE)
    response = staff_client.put("/api/v1/switches/mail_via_queue", body, format="json")
    assert response.status_code == 200
    assert SwitchChange.objects.first().actor == "api:root"


def test_another_service_calling_on_its_own_is_refused(client, settings):
    identity = Identity(request_id=uuid.uuid4().hex)
    settings.SERVICE_ASSERTION_CALLERS = ["gateway", "runner"]
    runner_key = keys.dev_private_pem(settings.VAR_DIR, keys.dev_service_key_filename("runner"))
    token = issue(identity, audience="monolith", caller="runner", private_pem=runner_key)
    response = client.get("/api/v1/switches/", **{META_KEY: token})
    assert response.status_code in (401, 403)
