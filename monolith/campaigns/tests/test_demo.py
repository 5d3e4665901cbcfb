"""The demo content includes one running campaign, loaded idempotently."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from monolith.campaigns import selectors
from monolith.campaigns.demo import DEMO_TITLE
from monolith.campaigns.models import Campaign

pytestmark = pytest.mark.django_db


def test_load_demo_twice_gives_one_running_campaign_with_three_exercises():
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    campaign = Campaign.objects.get(title=DEMO_TITLE)
    assert selectors.campaign_state(campaign=campaign) == selectors.RUNNING
    assert [(e.label, e.exercise.slug) for e in campaign.exercises.order_by("position")] == [
        ("A", "is-it-prime"),
        ("B", "balanced-brackets"),
        ("C", "word-frequency"),
    ]


def test_an_ended_demo_campaign_runs_again_after_loading():
    call_command("load_demo", stdout=StringIO())
    Campaign.objects.filter(title=DEMO_TITLE).update(
        starts_at=timezone.now() - timedelta(days=9), ends_at=timezone.now() - timedelta(days=2)
    )
    call_command("load_demo", stdout=StringIO())
    assert selectors.campaign_state(campaign=Campaign.objects.get(title=DEMO_TITLE)) == selectors.RUNNING
