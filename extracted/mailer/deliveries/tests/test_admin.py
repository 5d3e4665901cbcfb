"""The delivery log in the admin: searchable, filterable, read-only, with a resend action."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from common.messaging.models import OutboxMessage
from extracted.mailer.deliveries import services
from extracted.mailer.deliveries.models import DeliveryLog
from extracted.mailer.deliveries.tests.factories import mail_message

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:deliveries_deliverylog_changelist")


@pytest.fixture
def staff_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    return client


@pytest.fixture
def logs():
    sent = DeliveryLog.objects.create(
        message_id=mail_message().id,
        kind="team_member_removed",
        recipient="grace@example.com",
        language="fr",
        status=DeliveryLog.Status.SENT,
        envelope=mail_message().to_json_dict(),
        correlation_id="req-test",
    )
    message = mail_message("purchase_receipt", to="ada@example.com")
    dead = DeliveryLog.objects.create(
        message_id=message.id,
        kind="purchase_receipt",
        recipient="ada@example.com",
        language="en",
        status=DeliveryLog.Status.DEAD,
        last_error="550 5.1.1 No such user",
        envelope=message.to_json_dict(),
        correlation_id="req-test",
    )
    return sent, dead


def listed(response) -> set:
    return {log.pk for log in response.context["cl"].result_list}


def test_the_log_lists_every_delivery(staff_client, logs):
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    assert listed(response) == {log.pk for log in logs}


@pytest.mark.parametrize(
    ("term", "expected"),
    [("grace@", (0,)), ("ADA@EXAMPLE", (1,)), ("No such user", (1,)), ("req-test", (0, 1)), ("nothing", ())],
)
def test_the_log_is_searchable_by_recipient_error_and_correlation_id(staff_client, logs, term, expected):
    response = staff_client.get(CHANGELIST, {"q": term})
    assert response.status_code == 200
    assert listed(response) == {logs[i].pk for i in expected}


def test_the_log_is_searchable_by_message_id(staff_client, logs):
    response = staff_client.get(CHANGELIST, {"q": str(logs[1].message_id)})
    assert listed(response) == {logs[1].pk}


def test_the_log_is_filterable_by_status(staff_client, logs):
    assert listed(staff_client.get(CHANGELIST, {"status__exact": "dead"})) == {logs[1].pk}


def test_a_delivery_page_shows_its_history_read_only(staff_client, logs):
    response = staff_client.get(reverse("admin:deliveries_deliverylog_change", args=[logs[1].pk]))
    assert response.status_code == 200
    assert b"550 5.1.1 No such user" in response.content
    assert b'name="_save"' not in response.content


def test_the_resend_action_queues_a_new_message_for_each_selected_delivery(staff_client, logs):
    response = staff_client.post(
        CHANGELIST, {"action": "resend", "_selected_action": [logs[1].pk]}, follow=True
    )
    assert response.status_code == 200
    resend = DeliveryLog.objects.get(resend_of=logs[1])
    assert resend.status == DeliveryLog.Status.QUEUED
    assert OutboxMessage.objects.filter(pk=resend.message_id, sent_at__isnull=True).exists()
    assert "1 mail(s) queued" in response.content.decode()


def test_resending_an_invalid_message_is_refused_with_a_message(staff_client):
    log = services.delivery_reject_invalid(message_id=mail_message().id, raw="garbage", error="not JSON")
    response = staff_client.post(CHANGELIST, {"action": "resend", "_selected_action": [log.pk]}, follow=True)
    assert "cannot be resent" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_staff_who_may_only_view_the_log_cannot_resend(client, logs):
    viewer = get_user_model().objects.create_user("viewer", "viewer@example.com", "pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_deliverylog"))
    client.force_login(viewer)
    assert client.get(CHANGELIST).status_code == 200
    client.post(CHANGELIST, {"action": "resend", "_selected_action": [logs[1].pk]})
    assert not DeliveryLog.objects.filter(resend_of=logs[1]).exists()


def test_health_answers_ok_with_its_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "mailer", "database": "ok"}


def test_an_unknown_url_is_a_json_404(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
