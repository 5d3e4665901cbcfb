"""Thirty participants registering and submitting at once on PostgreSQL, in ICPC and IOI formats.

Each participant is a thread with its own database connection. Judging uses
the recorded-results runner (the learning tests' fast path: outcomes replayed
per source and input, the grading itself is real); the sandbox is exercised in
``test_sandbox_submission``. The board is checked against the independent
reference computed here from the raw submission rows.
"""

import random
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from common.errors import Conflict
from monolith.accounts.models import LedgerEntry
from monolith.accounts.tests.factories import TeamFactory, UserFactory
from monolith.campaigns import selectors, services
from monolith.campaigns.models import CampaignSubmission, Registration
from monolith.campaigns.tests.conftest import secret_exercise, solution
from monolith.campaigns.tests.factories import CampaignExerciseFactory, CampaignFactory
from monolith.campaigns.tests.reference import reference_board
from monolith.learning.tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db(transaction=True)

PARTICIPANTS = 30
SUBMISSIONS_EACH = 5


def run_threads(target, args_list):
    barrier = threading.Barrier(len(args_list))
    errors = []

    def work(*args):
        try:
            barrier.wait(timeout=30)
            target(*args)
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def raw_reference(campaign, *, frozen_at=None):
    rows = CampaignSubmission.objects.filter(campaign=campaign).values(
        "id", "registration_id", "campaign_exercise_id", "created_at", "passed", "tests_passed", "tests_total"
    )
    submissions = [
        {
            "id": r["id"],
            "participant": r["registration_id"],
            "exercise": r["campaign_exercise_id"],
            "at": r["created_at"],
            "passed": r["passed"],
            "tests_passed": r["tests_passed"],
            "tests_total": r["tests_total"],
        }
        for r in rows
    ]
    return reference_board(
        scoring=campaign.scoring,
        start=campaign.starts_at,
        penalty=campaign.penalty_minutes,
        points={e.id: e.points for e in campaign.exercises.all()},
        participants={r.id: r.created_at for r in Registration.objects.filter(campaign=campaign)},
        submissions=submissions,
        frozen_at=frozen_at,
    )


def as_scores(campaign, rows):
    if campaign.scoring == "icpc":
        return [(r.participant, r.solved, r.penalty(campaign.penalty_minutes)) for r in rows]
    return [(r.participant, r.points, 0) for r in rows]


@pytest.mark.parametrize("scoring", ["icpc", "ioi"])
def test_thirty_concurrent_participants_give_the_reference_board_and_prizes_are_paid_once(scoring, runner):
    campaign = CampaignFactory(scoring=scoring, prizes=[300, 200, 100], penalty_minutes=20)
    module = ModuleFactory(is_published=False)
    items = [
        CampaignExerciseFactory(
            campaign=campaign, exercise=secret_exercise(f"P{n}", tests=4, module=module), points=p, position=n
        )
        for n, p in enumerate([100, 150, 250])
    ]
    # Every level of success is recorded up front (the runner is read-only during the race).
    codes = {(item.id, k): solution(runner, item, passing=k) for item in items for k in range(5)}
    users = [UserFactory(username=f"racer{n:02d}") for n in range(PARTICIPANTS)]

    errors = run_threads(
        lambda user: services.registration_create(campaign=campaign, user=user), [(u,) for u in users]
    )
    assert errors == []
    assert Registration.objects.filter(campaign=campaign).count() == PARTICIPANTS

    def participate(user, seed):
        rng = random.Random(seed)
        for _ in range(SUBMISSIONS_EACH):
            item = rng.choice(items)
            services.campaign_submit(
                campaign=campaign,
                user=user,
                campaign_exercise=item,
                language="python",
                code=codes[(item.id, rng.choice([0, 1, 2, 3, 4, 4]))],
            )

    errors = run_threads(participate, [(user, n) for n, user in enumerate(users)])
    assert errors == []
    assert CampaignSubmission.objects.filter(campaign=campaign).count() == PARTICIPANTS * SUBMISSIONS_EACH

    staff_board = selectors.board_get(user=campaign.created_by, campaign=campaign)
    assert as_scores(campaign, staff_board.rows) == raw_reference(campaign)
    assert [r.rank for r in staff_board.rows] == list(range(1, PARTICIPANTS + 1))

    # The freeze: its start falls in the middle of the submissions, on a whole minute before the end.
    times = sorted(CampaignSubmission.objects.filter(campaign=campaign).values_list("created_at", flat=True))
    frozen_at = times[len(times) // 2]
    campaign.freeze_minutes = 30
    campaign.ends_at = frozen_at + timedelta(minutes=30)
    campaign.save()
    participant = users[0]
    seen = selectors.board_get(user=participant, campaign=campaign)
    assert seen.frozen_at == frozen_at
    assert as_scores(campaign, seen.rows) == raw_reference(campaign, frozen_at=frozen_at)
    pending = sum(cell.pending for row in seen.rows for cell in row.cells.values())
    assert pending == sum(1 for t in times if t >= frozen_at)
    assert as_scores(
        campaign, selectors.board_get(user=campaign.created_by, campaign=campaign).rows
    ) == raw_reference(campaign)

    # The end: everyone sees the final board; results computed twice at once pay once.
    campaign.ends_at = timezone.now() - timedelta(seconds=1)
    campaign.save()
    assert as_scores(
        campaign, selectors.board_get(user=participant, campaign=campaign).rows
    ) == raw_reference(campaign)
    errors = run_threads(lambda: services.campaign_results_publish(campaign=campaign), [(), ()])
    assert errors == []
    services.campaign_results_publish(campaign=campaign)
    entries = LedgerEntry.objects.filter(reference__startswith=f"campaign:{campaign.id}:")
    winners = [pid for pid, score, _ in raw_reference(campaign)[:3] if score]
    expected = {
        f"campaign:{campaign.id}:user:{Registration.objects.get(pk=pid).user_id}": prize
        for pid, prize in zip(winners, [300, 200, 100], strict=False)
    }
    assert {e.reference: e.amount for e in entries} == expected
    assert connection.vendor == "postgresql"


def test_two_members_registering_their_team_at_once_register_it_once():
    campaign = CampaignFactory(participation="team")
    captain, member = UserFactory(username="cap"), UserFactory(username="mate")
    team = TeamFactory(captain=captain, name="Racers")
    team.memberships.create(user=member)
    outcomes = []

    def register(user):
        try:
            services.registration_create(campaign=campaign, user=user, team=team)
            outcomes.append("registered")
        except Conflict as exc:
            outcomes.append(exc.message)

    errors = run_threads(register, [(captain,), (member,)])
    assert errors == []
    assert sorted(outcomes)[1] == "registered"
    assert sorted(outcomes)[0].startswith("Racers is already registered (by ")
    assert Registration.objects.filter(campaign=campaign).count() == 1
