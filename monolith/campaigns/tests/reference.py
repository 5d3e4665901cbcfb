"""An independent reference of the campaign ranking, written from the rules as stated on the page.

Used by the tests to check ``monolith.campaigns.scoring`` and the boards
built from the database: it shares no code with them. Input: raw
submissions as plain dicts ``{"id", "participant", "exercise", "at",
"passed", "tests_passed", "tests_total"}``.
"""

from fractions import Fraction
from functools import cmp_to_key


def reference_board(*, scoring, start, penalty, points, participants, submissions, frozen_at=None):
    """``[(participant, score, penalty)]`` best first; ``participants`` maps id -> registration time."""
    counted = [s for s in submissions if frozen_at is None or s["at"] < frozen_at]
    table = {}
    for pid in participants:
        score, pen, reached = 0, 0, None
        for exercise, worth in points.items():
            mine = sorted(
                (s for s in counted if s["participant"] == pid and s["exercise"] == exercise),
                key=lambda s: (s["at"], s["id"]),
            )
            if scoring == "icpc":
                for wrong, s in enumerate(mine):
                    if s["passed"]:
                        score += 1
                        pen += int((s["at"] - start).total_seconds()) // 60 + penalty * wrong
                        reached = s["at"] if reached is None or s["at"] > reached else reached
                        break
            else:
                best, best_at = Fraction(0), None
                for s in mine:
                    value = Fraction(worth * s["tests_passed"], s["tests_total"])
                    if value > best:
                        best, best_at = value, s["at"]
                score += best
                if best_at is not None and (reached is None or best_at > reached):
                    reached = best_at
        table[pid] = (score, pen, reached)

    def compare(a, b):
        sa, pa, ra = table[a]
        sb, pb, rb = table[b]
        if sa != sb:
            return -1 if sa > sb else 1
        if pa != pb:
            return -1 if pa < pb else 1
        if ra != rb:
            if ra is None:
                return 1
            if rb is None:
                return -1
            return -1 if ra < rb else 1
        if participants[a] != participants[b]:
            return -1 if participants[a] < participants[b] else 1
        return -1 if a < b else (1 if a > b else 0)

    order = sorted(participants, key=cmp_to_key(compare))
    return [(pid, table[pid][0], table[pid][1]) for pid in order]
