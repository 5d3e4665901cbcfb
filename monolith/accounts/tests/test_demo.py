import pytest

from monolith.accounts.demo import RECRUITING_TEAM, load_accounts
from monolith.accounts.models import EmailAddress, Team
from monolith.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_accounts_load_twice_to_the_same_data():
    recruiter = UserFactory(username="recruiter")
    UserFactory(username="learner")

    load_accounts()
    first = (list(EmailAddress.objects.values_list("email", "primary", "verified")), Team.objects.count())
    load_accounts()

    assert (
        list(EmailAddress.objects.values_list("email", "primary", "verified")),
        Team.objects.count(),
    ) == first
    assert sorted(e for e, _, _ in first[0]) == ["learner@example.com", "recruiter@example.com"]
    team = Team.objects.get(name=RECRUITING_TEAM)
    assert (team.kind, team.captain, list(team.members.all())) == ("recruiting", recruiter, [recruiter])
