"""Writes and reads of live pads. The database is the authority on each pad's document.

A push is accepted only when it was made on the pad's current version (the row
is locked while it is checked and applied); a stale one is refused and the
client rebases on the updates it missed (``updates_since``) and pushes again —
the central-authority scheme of ``@codemirror/collab``. Every accepted update is
a ``PadUpdate`` row, so the document at any version can be rebuilt (playback).
"""

import base64
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from common.errors import Conflict, NotFound, ServiceError
from monolith.accounts.models import Team, TeamKind
from monolith.accounts.tokens import TOKEN_MAX_LENGTH, token_hash
from monolith.interviews import services as assessments
from monolith.interviews.models import Pad, PadRun, PadUpdate
from monolith.interviews.pad import changes as change_sets
from monolith.learning import execution
from monolith.learning.models import MAX_CODE_BYTES, ProgrammingLanguage
from monolith.learning.services import _storable

#: Updates one push may carry, and the most frames a playback shows.
MAX_UPDATES_PER_PUSH = 200
MAX_PLAYBACK_FRAMES = 400
MAX_NOTES = 20_000
MAX_STDIN = 10_000
COMPLETED = "completed"


class PadEnded(Conflict):
    code = "pad_ended"


@dataclass(frozen=True)
class Pushed:
    accepted: bool
    version: int  # the pad's version after the push (or now, when refused)
    updates: list[dict]  # the accepted updates, as sent to the other editors


def _update_json(update: PadUpdate) -> dict:
    return {"clientID": update.client_id, "changes": update.changes}


# --- opening, finding, ending ------------------------------------------------------------


def pad_open(*, team: Team, by, title: str, language: str, source: str = "", candidate_name: str = ""):
    """A new pad of ``team``; its candidate link is ``link_token(pad)``."""
    if team.kind != TeamKind.RECRUITING:
        raise ServiceError(_("Only a recruiting team runs interviews."), field="team")
    if not title.strip():
        raise ServiceError(_("Give the interview a title."), field="title")
    if language not in ProgrammingLanguage.values:
        raise ServiceError(_("Choose a language."), field="language")
    statement = code = ""
    if source:
        exercise = assessments._freeze(team=team, sources=[source], languages=[language])[0]
        statement, code = exercise["statement"], exercise["starters"][language]
    code = change_sets.normalise(code)
    pad = Pad(
        team=team,
        created_by=by,
        title=title.strip(),
        candidate_name=candidate_name.strip(),
        language=language,
        statement=statement,
        initial_doc=code,
        doc=code,
    )
    pad.link_hash = token_hash(link_token(pad))
    pad.save()
    return pad


def link_token(pad: Pad) -> str:
    """The candidate's link token: derived from the pad's id with the site's secret key, so
    the interviewer's page can show it again while the database keeps only its hash."""
    digest = salted_hmac("interviews.pad.link", pad.public_id.hex, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def pad_for_member(*, user, public_id) -> Pad:
    """The pad if ``user`` is a member of its recruiting team; ``NotFound`` for anyone else."""
    pad = None
    if user is not None and user.is_authenticated:
        pad = (
            Pad.objects.filter(
                public_id=public_id, team__kind=TeamKind.RECRUITING, team__memberships__user=user
            )
            .select_related("team")
            .first()
        )
    if pad is None:
        raise NotFound(_("No such interview."))
    return pad


def pad_for_link(*, token: str) -> Pad:
    """The pad a candidate's link opens; ``NotFound`` when forged, ``PadEnded`` once it ended."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise NotFound(_("This interview link is not valid."))
    pad = Pad.objects.filter(link_hash=token_hash(token)).first()
    if pad is None:
        raise NotFound(_("This interview link is not valid."))
    if pad.ended:
        raise PadEnded(_("This interview has ended."))
    return pad


def pads_of(*, user):
    if not user.is_authenticated:
        return Pad.objects.none()
    return Pad.objects.filter(team__kind=TeamKind.RECRUITING, team__memberships__user=user).select_related(
        "team"
    )


def pad_end(*, pad: Pad) -> Pad:
    if pad.ended_at is None:
        pad.ended_at = timezone.now()
        pad.save(update_fields=["ended_at"])
    return pad


def notes_save(*, pad: Pad, notes: str) -> Pad:
    if len(notes) > MAX_NOTES:
        raise ServiceError(_("Notes are limited to %(n)s characters.") % {"n": MAX_NOTES}, field="notes")
    pad.notes = notes
    pad.save(update_fields=["notes"])
    return pad


# --- the document ------------------------------------------------------------------------


def push(*, pad_id: int, version, updates, author: str) -> Pushed:
    """Apply ``updates`` made on ``version``; refused (not an error) when the pad moved on."""
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ServiceError(_("version must be a number."), field="version")
    if not isinstance(updates, list) or not 0 < len(updates) <= MAX_UPDATES_PER_PUSH:
        raise ServiceError(
            _("updates must be a list of 1 to %(n)s.") % {"n": MAX_UPDATES_PER_PUSH}, field="updates"
        )
    with transaction.atomic():
        pad = Pad.objects.select_for_update().get(pk=pad_id)
        if pad.ended:
            raise PadEnded(_("This interview has ended."))
        if version != pad.version:
            return Pushed(False, pad.version, [])
        doc = pad.doc
        rows = []
        for update in updates:
            if not isinstance(update, dict) or not isinstance(update.get("clientID"), str):
                raise ServiceError(_("Each update has a clientID and changes."), field="updates")
            try:
                doc = change_sets.apply(doc, update.get("changes"))
            except change_sets.InvalidChanges as exc:
                raise ServiceError(str(exc), field="updates") from exc
            if len(doc.encode()) > MAX_CODE_BYTES:
                raise ServiceError(_("The code is too long."), field="updates")
            rows.append(
                PadUpdate(
                    pad=pad,
                    version=pad.version + len(rows),
                    changes=update["changes"],
                    client_id=update["clientID"][:64],
                    author=author,
                )
            )
        PadUpdate.objects.bulk_create(rows)
        start = pad.version
        pad.doc, pad.version = doc, pad.version + len(rows)
        pad.save(update_fields=["doc", "version"])
    return Pushed(True, start, [_update_json(row) for row in rows])


def updates_since(*, pad_id: int, version: int) -> list[dict]:
    rows = PadUpdate.objects.filter(pad_id=pad_id, version__gte=max(0, int(version))).order_by("version")
    return [_update_json(row) for row in rows]


def playback(*, pad: Pad) -> list[dict]:
    """The document after each update (at most ``MAX_PLAYBACK_FRAMES``, the last one always)."""
    rows = list(pad.updates.order_by("version"))
    step = max(1, -(-len(rows) // MAX_PLAYBACK_FRAMES))
    frames = [{"code": pad.initial_doc, "time": pad.created_at.strftime("%H:%M:%S"), "kind": _("start")}]
    doc = pad.initial_doc
    labels = dict(PadUpdate.Author.choices)
    for index, row in enumerate(rows):
        doc = change_sets.apply(doc, row.changes)
        if (index + 1) % step == 0 or index == len(rows) - 1:
            frames.append(
                {"code": doc, "time": row.created_at.strftime("%H:%M:%S"), "kind": labels.get(row.author, "")}
            )
    return frames


# --- runs --------------------------------------------------------------------------------


def run(*, pad_id: int, by: str, stdin: str = "") -> PadRun:
    """Run the pad's current code through the learners' runner; stored and returned."""
    if not isinstance(stdin, str) or len(stdin) > MAX_STDIN:
        raise ServiceError(_("The input is limited to %(n)s characters.") % {"n": MAX_STDIN}, field="stdin")
    pad = Pad.objects.get(pk=pad_id)
    if pad.ended:
        raise PadEnded(_("This interview has ended."))
    if not pad.doc.strip():
        raise ServiceError(_("There is no code to run."), field="code")
    judged = execution.get_code_runner().judge(
        language=pad.language,
        source=pad.doc,
        tests=[execution.TestCase(id="pad", stdin=stdin, expected_stdout="")],
    )
    outcome = judged.tests[0] if judged.tests else None
    return PadRun.objects.create(
        pad=pad,
        version=pad.version,
        by=by,
        language=pad.language,
        stdin=stdin,
        verdict=_verdict(outcome),
        stdout=_storable(outcome.stdout if outcome else ""),
        stderr=_storable(outcome.stderr if outcome else ""),
        compile_output=_storable(judged.compile_output),
    )


def _verdict(outcome) -> str:
    """``completed`` when the program ran to its end (a pad run has no expected output)."""
    if outcome is None:
        return execution.Verdict.COMPILE_ERROR
    return COMPLETED if outcome.verdict in execution.Verdict.COMPLETED else outcome.verdict


def run_json(run: PadRun) -> dict:
    return {
        "by": run.by,
        "version": run.version,
        "verdict": run.verdict,
        "stdout": run.stdout,
        "stderr": run.stderr,
        "compile_output": run.compile_output,
        "at": run.created_at.isoformat(),
    }


def pad_by_id(*, pad_id: int) -> Pad:
    return Pad.objects.get(pk=pad_id)
