"""The scoring functions against hand-worked boards and against the independent reference."""

import random
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from monolith.campaigns import scoring
from monolith.campaigns.tests.reference import reference_board

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def attempt(n, participant, exercise, minutes, passed, tests_passed=None, tests_total=4):
    if tests_passed is None:
        tests_passed = tests_total if passed else 0
    return scoring.Attempt(n, participant, exercise, at(minutes), passed, tests_passed, tests_total)


def rules(kind=scoring.ICPC, penalty=20, points=None):
    return scoring.Rules(
        scoring=kind, starts_at=START, penalty_minutes=penalty, points=points or {1: 100, 2: 100}
    )


def people(*ids):
    return [scoring.Participant(pid, at(-60 + pid)) for pid in ids]


def test_icpc_ranks_by_solved_then_penalty_counting_rejections_before_the_solve_only():
    attempts = [
        attempt(1, 10, 1, 10, False),
        attempt(2, 10, 1, 15.9, True),  # 15 minutes + 20 for one rejection = 35
        attempt(3, 10, 1, 20, False),  # after the solve: ignored
        attempt(4, 11, 1, 30, True),  # 30
        attempt(5, 12, 1, 5, True),
        attempt(6, 12, 2, 50, True),  # two solved: first whatever the time
    ]
    board = scoring.scoreboard(rules=rules(), participants=people(10, 11, 12), attempts=attempts)
    assert [(r.participant, r.solved, r.penalty(20)) for r in board] == [
        (12, 2, 55),
        (11, 1, 30),
        (10, 1, 35),
    ]
    assert [r.rank for r in board] == [1, 2, 3]
    cell = board[2].cells[1]
    assert (cell.attempts, cell.rejected_before, cell.solved_minute) == (2, 1, 15)


def test_icpc_tie_on_solved_and_penalty_goes_to_who_reached_it_first_then_to_who_registered_first():
    attempts = [
        attempt(1, 20, 1, 10, True),
        attempt(2, 20, 2, 30, True),  # 40 in total, last solve at 30
        attempt(3, 21, 1, 20, True),
        attempt(4, 21, 2, 20, True),  # 40 in total, last solve at 20: ahead
    ]
    board = scoring.scoreboard(rules=rules(), participants=people(20, 21, 22, 23), attempts=attempts)
    # 22 and 23 have nothing: the earlier registration (22) first.
    assert [r.participant for r in board] == [21, 20, 22, 23]


def test_ioi_scores_points_in_proportion_to_tests_and_keeps_the_best_submission():
    attempts = [
        attempt(1, 30, 1, 5, False, tests_passed=1, tests_total=4),  # 25
        attempt(2, 30, 1, 8, False, tests_passed=3, tests_total=4),  # 75: best
        attempt(3, 30, 1, 9, False, tests_passed=2, tests_total=4),  # 50: does not lower it
        attempt(4, 31, 1, 3, False, tests_passed=1, tests_total=3),  # 33.33…
        attempt(5, 31, 2, 4, True, tests_passed=3, tests_total=3),  # 100
    ]
    board = scoring.scoreboard(rules=rules(scoring.IOI), participants=people(30, 31), attempts=attempts)
    assert [(r.participant, r.points) for r in board] == [(31, Fraction(400, 3)), (30, Fraction(75))]
    assert board[1].cells[1].improved_at == at(8)


def test_ioi_tie_goes_to_who_reached_the_score_first():
    attempts = [attempt(1, 40, 1, 30, True), attempt(2, 41, 1, 10, True)]
    board = scoring.scoreboard(rules=rules(scoring.IOI), participants=people(40, 41), attempts=attempts)
    assert [r.participant for r in board] == [41, 40]


def test_freeze_leaves_out_exactly_the_submissions_from_its_start_and_counts_them_pending():
    frozen_at = at(100)
    attempts = [
        attempt(1, 50, 1, 99.99, True),  # just before: counts
        attempt(2, 51, 1, 100, True),  # at the start of the freeze: pending
        attempt(3, 51, 2, 110, False),
    ]
    board = scoring.scoreboard(
        rules=rules(), participants=people(50, 51), attempts=attempts, frozen_at=frozen_at
    )
    by_id = {r.participant: r for r in board}
    assert by_id[50].solved == 1
    assert by_id[51].solved == 0
    assert (by_id[51].cells[1].pending, by_id[51].cells[2].pending, by_id[51].cells[1].attempts) == (1, 1, 0)
    final = scoring.scoreboard(rules=rules(), participants=people(50, 51), attempts=attempts)
    assert {r.participant: r.solved for r in final} == {50: 1, 51: 1}


def test_attempts_of_unknown_participants_or_exercises_are_ignored():
    attempts = [attempt(1, 99, 1, 5, True), attempt(2, 60, 7, 5, True)]
    board = scoring.scoreboard(rules=rules(), participants=people(60), attempts=attempts)
    assert board[0].solved == 0


def random_attempts(seed: int, participants: list[int], exercises: list[int], count: int):
    rng = random.Random(seed)
    out = []
    for n in range(count):
        total = rng.choice([3, 4, 5])
        passed_tests = rng.randint(0, total)
        # Coarse times so that ties on minutes and on exact times happen.
        out.append(
            attempt(
                n,
                rng.choice(participants),
                rng.choice(exercises),
                rng.randint(0, 40) * 1.5,
                passed_tests == total,
                passed_tests,
                total,
            )
        )
    return out


def as_dicts(attempts):
    return [
        {
            "id": a.id,
            "participant": a.participant,
            "exercise": a.exercise,
            "at": a.at,
            "passed": a.passed,
            "tests_passed": a.tests_passed,
            "tests_total": a.tests_total,
        }
        for a in attempts
    ]


@pytest.mark.parametrize("kind", [scoring.ICPC, scoring.IOI])
@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("freeze", [None, 45])
def test_random_boards_equal_the_independent_reference(kind, seed, freeze):
    ids = list(range(1, 13))
    points = {1: 100, 2: 250, 3: 40}
    attempts = random_attempts(seed, ids, list(points), 120)
    frozen_at = at(freeze) if freeze is not None else None
    board = scoring.scoreboard(
        rules=rules(kind, penalty=20, points=points),
        participants=people(*ids),
        attempts=attempts,
        frozen_at=frozen_at,
    )
    expected = reference_board(
        scoring=kind,
        start=START,
        penalty=20,
        points=points,
        participants={p.id: p.registered_at for p in people(*ids)},
        submissions=as_dicts(attempts),
        frozen_at=frozen_at,
    )
    got = [
        (
            r.participant,
            r.solved if kind == scoring.ICPC else r.points,
            r.penalty(20) if kind == scoring.ICPC else 0,
        )
        for r in board
    ]
    if kind == scoring.IOI:
        expected = [(pid, score, 0) for pid, score, _ in expected]
    assert got == expected
