"""Demo campaign: one public campaign, running whenever the demo is loaded.

``load_campaigns`` runs after the demo users and content (``load_demo``'s
loaders). It is idempotent: the campaign's title is its natural key, its
exercises are found by module and exercise slugs, and a demo campaign that
has ended is moved so it runs again (a week from now).
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from monolith.campaigns.models import Campaign, CampaignExercise, CampaignResult, Participation, Scoring
from monolith.learning.models import Content

DEMO_TITLE = "Winter algorithms sprint"
#: (module slug, exercise slug, points), shown as A, B, C.
DEMO_EXERCISES = [
    ("algorithms-challenge", "is-it-prime", 100),
    ("algorithms-challenge", "balanced-brackets", 200),
    ("algorithms-challenge", "word-frequency", 300),
]
DESCRIPTION = (
    "Three algorithm problems, one week. ICPC scoring: solve the most, fastest, with the fewest "
    "rejected submissions. The board freezes for the last hour; the top three win points."
)


def load_campaigns() -> str:
    now = timezone.now()
    campaign = Campaign.objects.filter(title=DEMO_TITLE, team__isnull=True).first()
    if campaign is None:
        campaign = Campaign.objects.create(
            title=DEMO_TITLE,
            description=DESCRIPTION,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=7),
            participation=Participation.INDIVIDUAL,
            scoring=Scoring.ICPC,
            penalty_minutes=20,
            freeze_minutes=60,
            prizes=[300, 200, 100],
            created_by=get_user_model().objects.filter(username="staff").first(),
        )
    elif campaign.ends_at <= now:
        CampaignResult.objects.filter(campaign=campaign).delete()
        campaign.starts_at, campaign.ends_at = now - timedelta(hours=1), now + timedelta(days=7)
        campaign.results_published_at = None
        campaign.save(update_fields=["starts_at", "ends_at", "results_published_at"])
    added = 0
    for position, (module_slug, slug, points) in enumerate(DEMO_EXERCISES):
        exercise = Content.objects.filter(module__slug=module_slug, slug=slug).first()
        if exercise is None:
            continue
        _item, created = CampaignExercise.objects.get_or_create(
            campaign=campaign, exercise=exercise, defaults={"points": points, "position": position}
        )
        added += created
    until = f"{campaign.ends_at:%Y-%m-%d %H:%M}"
    return f"campaigns: “{DEMO_TITLE}” running until {until} UTC ({added} exercise(s) added)"
