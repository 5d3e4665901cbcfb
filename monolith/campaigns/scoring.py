"""The scoreboard of a campaign, computed from its raw submissions. Pure functions, no database.

ICPC: an exercise is solved by its first accepted submission; a participant's
score is the number solved, then the least penalty time: for each solved
exercise, the whole minutes from the start to the solve plus
``penalty_minutes`` per rejected submission before it. Submissions after the
solve do not count.

IOI: a submission scores ``points * tests passed / tests`` of its exercise;
the best submission per exercise counts; the score is their sum.

Ties (same score, and same penalty in ICPC) are broken, in this order, by
who reached their score first (the time of their last improvement), then
by who registered first, then by registration id: every rank is distinct and
the same data always gives the same order.

Freeze: ``frozen_at`` (the start of the last N minutes) leaves every
submission received at or after it out of the scores; such submissions are
counted as pending in their cell instead.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

ICPC = "icpc"
IOI = "ioi"
#: Stands for "never" when ordering by the time of the last improvement.
_NEVER = float("inf")


@dataclass(frozen=True)
class Rules:
    scoring: str
    starts_at: datetime
    penalty_minutes: int
    #: Points of each exercise, by exercise id (its order is the columns' order).
    points: dict[int, int]


@dataclass(frozen=True)
class Participant:
    id: int
    registered_at: datetime


@dataclass(frozen=True)
class Attempt:
    """One judged submission: who, which exercise, when it was received, how it did."""

    id: int
    participant: int
    exercise: int
    at: datetime
    passed: bool
    tests_passed: int
    tests_total: int


@dataclass
class Cell:
    exercise: int
    #: Attempts that count: all of them (IOI), up to and including the solve (ICPC).
    attempts: int = 0
    solved: bool = False
    #: ICPC: whole minutes from the start to the solve.
    solved_minute: int | None = None
    #: ICPC: rejected attempts before the solve.
    rejected_before: int = 0
    #: IOI: best points on this exercise.
    points: Fraction = Fraction(0)
    #: When this cell reached its current value.
    improved_at: datetime | None = None
    #: Submissions hidden by the freeze.
    pending: int = 0


@dataclass
class Row:
    participant: int
    registered_at: datetime
    cells: dict[int, Cell] = field(default_factory=dict)
    rank: int = 0

    @property
    def solved(self) -> int:
        return sum(1 for cell in self.cells.values() if cell.solved)

    @property
    def points(self) -> Fraction:
        return sum((cell.points for cell in self.cells.values()), Fraction(0))

    def penalty(self, penalty_minutes: int) -> int:
        """ICPC penalty time in minutes (0 under IOI, where nothing has a solve minute)."""
        return sum(
            cell.solved_minute + penalty_minutes * cell.rejected_before
            for cell in self.cells.values()
            if cell.solved and cell.solved_minute is not None
        )

    @property
    def last_improvement(self) -> datetime | None:
        times = [cell.improved_at for cell in self.cells.values() if cell.improved_at is not None]
        return max(times) if times else None


def _minutes(*, start: datetime, at: datetime) -> int:
    return max(0, int((at - start).total_seconds() // 60))


def _score_icpc(cell: Cell, attempts: Sequence[Attempt], start: datetime) -> None:
    for attempt in attempts:
        cell.attempts += 1
        if attempt.passed:
            cell.solved = True
            cell.solved_minute = _minutes(start=start, at=attempt.at)
            cell.improved_at = attempt.at
            return
        cell.rejected_before += 1


def _score_ioi(cell: Cell, attempts: Sequence[Attempt], points: int) -> None:
    for attempt in attempts:
        cell.attempts += 1
        value = Fraction(points * attempt.tests_passed, attempt.tests_total) if attempt.tests_total else 0
        if value > cell.points:
            cell.points = value
            cell.improved_at = attempt.at
        cell.solved = cell.solved or attempt.passed


def sort_key(row: Row, rules: Rules) -> tuple:
    """The board's order: best first, ties broken as the module docstring states."""
    reached = row.last_improvement
    reached_key = _NEVER if reached is None else reached.timestamp()
    primary = (-row.solved, row.penalty(rules.penalty_minutes)) if rules.scoring == ICPC else (-row.points,)
    return (*primary, reached_key, row.registered_at.timestamp(), row.participant)


def scoreboard(
    *,
    rules: Rules,
    participants: Iterable[Participant],
    attempts: Iterable[Attempt],
    frozen_at: datetime | None = None,
) -> list[Row]:
    """Every participant's row, ranked (1 is best); attempts of unknown exercises are ignored."""
    rows = {
        p.id: Row(
            participant=p.id,
            registered_at=p.registered_at,
            cells={exercise: Cell(exercise=exercise) for exercise in rules.points},
        )
        for p in participants
    }
    grouped: dict[tuple[int, int], list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        row = rows.get(attempt.participant)
        if row is None or attempt.exercise not in rules.points:
            continue
        if frozen_at is not None and attempt.at >= frozen_at:
            row.cells[attempt.exercise].pending += 1
            continue
        grouped[(attempt.participant, attempt.exercise)].append(attempt)
    for (participant, exercise), group in grouped.items():
        group.sort(key=lambda a: (a.at, a.id))
        cell = rows[participant].cells[exercise]
        if rules.scoring == ICPC:
            _score_icpc(cell, group, rules.starts_at)
        else:
            _score_ioi(cell, group, rules.points[exercise])
    ranked = sorted(rows.values(), key=lambda row: sort_key(row, rules))
    for rank, row in enumerate(ranked, start=1):
        row.rank = rank
    return ranked
