from datetime import timedelta

import factory
from django.utils import timezone

from monolith.accounts.tests.factories import StaffFactory
from monolith.campaigns.models import Campaign, CampaignExercise, Registration


class CampaignFactory(factory.django.DjangoModelFactory):
    """A public, individual ICPC campaign that started an hour ago and ends in an hour."""

    class Meta:
        model = Campaign

    title = factory.Sequence(lambda n: f"Campaign {n}")
    description = "Solve **fast**."
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    created_by = factory.SubFactory(StaffFactory, username="organiser")


class CampaignExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignExercise

    campaign = factory.SubFactory(CampaignFactory)
    points = 100
    position = factory.Sequence(lambda n: n)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    campaign = factory.SubFactory(CampaignFactory)
    registered_by = factory.SelfAttribute("user")
