"""Campaign submissions judged for real by the in-process sandbox (``runner_via_service`` off).

The demo exercise "Sum of two numbers" (public and hidden tests) in an
unpublished module; a right and a wrong solution from two participants.
Needs bubblewrap and Python in the sandbox.
"""

import pytest

from monolith.accounts.tests.factories import UserFactory
from monolith.campaigns import selectors, services
from monolith.campaigns.tests.factories import CampaignExerciseFactory, CampaignFactory, RegistrationFactory
from monolith.learning import demo as demo_data
from monolith.learning.demo import demo_exercises
from monolith.learning.demo_solutions import reference_solutions
from monolith.learning.tests.factories import ModuleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]

SOLUTION = reference_solutions()["sum-of-two-numbers"]["python"]
WRONG = "a, b = map(int, input().split())\nprint(a + b if a != 0 and abs(a) < 100 else -1)\n"


def test_sandbox_judged_submissions_rank_the_right_solution_first():
    spec = next(e for e in demo_exercises() if e.slug == "sum-of-two-numbers")
    exercise = demo_data._sync_content(spec, module=ModuleFactory(is_published=False), position=0)
    campaign = CampaignFactory(scoring="ioi")
    item = CampaignExerciseFactory(campaign=campaign, exercise=exercise, points=100)
    right, wrong = UserFactory(username="right"), UserFactory(username="wrong")
    for user in (wrong, right):
        RegistrationFactory(campaign=campaign, user=user)

    bad = services.campaign_submit(
        campaign=campaign, user=wrong, campaign_exercise=item, language="python", code=WRONG
    )
    good = services.campaign_submit(
        campaign=campaign, user=right, campaign_exercise=item, language="python", code=SOLUTION
    )

    assert good.passed is True
    assert good.tests_passed == good.tests_total == exercise.validators.count()
    assert bad.passed is False
    assert 0 < bad.tests_passed < bad.tests_total
    board = selectors.board_get(user=campaign.created_by, campaign=campaign)
    names = [board.names[row.participant] for row in board.rows]
    assert names == ["right", "wrong"]
    assert board.score_of(board.rows[0]) == "100"
