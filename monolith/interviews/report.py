"""What the team sees of one candidate and of the whole pipeline (reads only)."""

from dataclasses import dataclass, field

from django.utils import timezone

from monolith.interviews import selectors, similarity
from monolith.interviews.models import Assessment, Invitation


@dataclass
class Row:
    """One candidate in the pipeline."""

    invitation: Invitation
    state: str
    score: int | None
    started_at: object = None
    finished_at: object = None
    ended_by: str = ""
    version: int | None = None


def pipeline(*, assessment: Assessment, sort: str = "") -> list[Row]:
    rows = []
    for invitation in selectors.invitation_list(assessment=assessment):
        attempt = getattr(invitation, "attempt", None)
        rows.append(
            Row(
                invitation=invitation,
                state=selectors.invitation_state(invitation),
                score=attempt.score_percent if attempt else None,
                started_at=attempt.started_at if attempt else None,
                finished_at=attempt.finished_at if attempt else None,
                ended_by=attempt.ended_by if attempt else "",
                version=attempt.version.number if attempt else None,
            )
        )
    if sort == "score":
        rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.invitation.name.lower()))
    elif sort == "name":
        rows.sort(key=lambda r: r.invitation.name.lower())
    return rows


def counts(rows: list[Row]) -> dict[str, int]:
    found = {"invited": 0, "started": 0, "submitted": 0, "expired": 0, "revoked": 0}
    for row in rows:
        found[row.state] = found.get(row.state, 0) + 1
    return found


@dataclass
class ExerciseReport:
    index: int
    title: str
    answer: object
    tests_total: int
    tests_passed: int
    verdicts: list
    seconds_spent: int | None
    snapshots: list[dict]
    matches: list[dict] = field(default_factory=list)

    @property
    def snapshots_id(self) -> str:
        return f"snapshots-{self.index}"

    @property
    def percent(self) -> int:
        return self.tests_passed * 100 // self.tests_total if self.tests_total else 0


def candidate_report(*, invitation: Invitation) -> list[ExerciseReport]:
    attempt = getattr(invitation, "attempt", None)
    if attempt is None:
        return []
    answers = selectors.answers_by_index(attempt=attempt)
    reports = []
    for index, exercise in enumerate(attempt.version.exercises):
        answer = answers.get(index)
        judged = answer is not None and answer.is_judged
        snapshots = (
            [
                {
                    "at": s.taken_at.isoformat(),
                    "time": timezone.localtime(s.taken_at).strftime("%H:%M:%S"),
                    "kind": s.kind,
                    "language": s.language,
                    "code": s.code,
                }
                for s in answer.snapshots.all()
            ]
            if answer
            else []
        )
        report = ExerciseReport(
            index=index,
            title=exercise["title"],
            answer=answer,
            tests_total=len(exercise["tests"]),
            tests_passed=answer.tests_passed if judged else 0,
            verdicts=answer.verdicts if judged else [],
            seconds_spent=int((answer.saved_at - answer.first_saved_at).total_seconds()) if answer else None,
            snapshots=snapshots,
        )
        if answer is not None and attempt.finished_at and answer.code:
            others = {
                other_id: other
                for other_id, other in selectors.final_answers(
                    assessment=invitation.assessment, source=exercise["source"]
                ).items()
                if other_id != invitation.id
            }
            starter = exercise["starters"].get(answer.language, "")
            for match in similarity.similar(
                code=answer.code,
                language=answer.language,
                others={i: (a.code, a.language) for i, a in others.items()},
                starter=starter,
            ):
                other = others[match.other_id]
                report.matches.append(
                    {"invitation": other.attempt.invitation, "percent": match.percent, "code": other.code}
                )
        reports.append(report)
    return reports
