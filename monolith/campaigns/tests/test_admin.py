"""The campaigns admin: lists render; its actions publish results and rejudge."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from monolith.campaigns import services
from monolith.campaigns.models import CampaignResult, CampaignSubmission
from monolith.campaigns.tests.conftest import solution
from monolith.campaigns.tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def played(campaign, learner, runner):
    RegistrationFactory(campaign=campaign, user=learner)
    item = campaign.exercises.get(position=0)
    services.campaign_submit(
        campaign=campaign,
        user=learner,
        campaign_exercise=item,
        language="python",
        code=solution(runner, item),
    )
    return campaign


@pytest.mark.parametrize(
    "path",
    [
        "campaign/",
        "campaign/?scoring__exact=icpc&q=Campaign",
        "campaignexercise/",
        "registration/",
        "campaignsubmission/",
        "campaignresult/",
    ],
)
def test_admin_lists_render(admin_client, played, path):
    assert admin_client.get(f"/admin/campaigns/{path}").status_code == 200
    assert admin_client.get(f"/admin/campaigns/campaign/{played.id}/change/").status_code == 200


def test_the_publish_action_refuses_a_running_campaign_then_publishes_an_ended_one(admin_client, played):
    data = {"action": "publish_results", "_selected_action": [played.id]}
    response = admin_client.post("/admin/campaigns/campaign/", data, follow=True)
    assert "Results are published once the campaign has ended." in response.content.decode()
    played.starts_at, played.ends_at = (
        timezone.now() - timedelta(hours=3),
        timezone.now() - timedelta(hours=1),
    )
    played.save()
    response = admin_client.post("/admin/campaigns/campaign/", data, follow=True)
    assert "results published." in response.content.decode()
    assert CampaignResult.objects.filter(campaign=played).count() == 1


def test_the_rejudge_action_grades_again(admin_client, played):
    item = played.exercises.get(position=0)
    validator = item.exercise.validators.first()
    validator.expected_stdout = ["other"]
    validator.save()
    data = {"action": "rejudge", "_selected_action": [item.id]}
    response = admin_client.post("/admin/campaigns/campaignexercise/", data, follow=True)
    assert "1 submissions judged again." in response.content.decode()
    assert CampaignSubmission.objects.get().passed is False
