"""Demo accounts data: verified addresses for the demo users and a recruiting team.

``load_accounts`` is meant to run after the demo users exist (it is listed in
``load_demo``'s loaders after ``monolith.learning.demo.load_users``). It is
idempotent: usernames, addresses and team names are its natural keys.
"""

from django.db import transaction
from django.utils import timezone

from monolith.accounts.models import EmailAddress, Team, TeamKind, TeamMembership, User

RECRUITING_TEAM = "Acme Recruiting"
#: The demo accounts created by ``monolith.learning.demo.load_users``.
DEMO_USERNAMES = ("learner", "recruiter", "staff")


@transaction.atomic
def load_accounts() -> str:
    """Make each demo user's email a verified primary address; create the recruiter's team."""
    addresses = 0
    demo_users = User.objects.filter(username__in=DEMO_USERNAMES).exclude(email="")
    for user in demo_users.filter(email_addresses__isnull=True):
        if EmailAddress.objects.filter(email__iexact=user.email).exists():
            continue
        EmailAddress.objects.create(
            user=user, email=user.email, primary=True, verified=True, verified_at=timezone.now()
        )
        addresses += 1
    recruiter = User.objects.filter(username="recruiter").first()
    teams = 0
    if recruiter is not None:
        team, created = Team.objects.get_or_create(
            name=RECRUITING_TEAM,
            defaults={
                "captain": recruiter,
                "kind": TeamKind.RECRUITING,
                "description": "Hiring team of the demo recruiter.",
            },
        )
        TeamMembership.objects.get_or_create(team=team, user=team.captain)
        teams += created
    return f"accounts: {addresses} verified address(es) added, {teams} recruiting team(s) created"
