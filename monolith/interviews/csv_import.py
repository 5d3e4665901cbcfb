"""Reading a CSV of candidates (``name,email``): every bad row reported by its line, or nothing."""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

#: Largest file accepted, and most rows: an invitation batch, not a mailing list.
MAX_CSV_BYTES = 100 * 1024
MAX_CSV_ROWS = 500


@dataclass(frozen=True)
class Candidate:
    line: int
    name: str
    email: str


class CsvRefused(ValueError):
    """The file as a whole is refused (too big, not text, not CSV, empty)."""


class CsvRowErrors(ValueError):
    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(f"{len(errors)} bad row(s)")
        self.errors = errors


def parse_candidates(data: bytes) -> list[Candidate]:
    """The candidates of a ``name,email`` CSV; a header row ``name,email`` is allowed.

    Raises ``CsvRefused`` for the file, ``CsvRowErrors`` listing ``(line, message)``.
    """
    if len(data) > MAX_CSV_BYTES:
        raise CsvRefused(
            _("The file is too large: at most %(limit)s KiB.") % {"limit": MAX_CSV_BYTES // 1024}
        )
    if b"\x00" in data:
        raise CsvRefused(_("This is not a CSV file: upload a text file with a name and an email per line."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvRefused(_("This is not a CSV file: it must be UTF-8 text.")) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise CsvRefused(
            _("This is not a CSV file: upload a text file with a name and an email per line.")
        ) from None
    numbered = [(n, [cell.strip() for cell in row]) for n, row in enumerate(rows, start=1) if any(row)]
    if numbered and [cell.lower() for cell in numbered[0][1]] == ["name", "email"]:
        numbered = numbered[1:]
    if not numbered:
        raise CsvRefused(_("The file has no candidate: one line per candidate, name then email."))
    if len(numbered) > MAX_CSV_ROWS:
        raise CsvRefused(_("Too many candidates in one file: at most %(limit)s.") % {"limit": MAX_CSV_ROWS})
    candidates, errors, seen = [], [], {}
    for line, row in numbered:
        if len(row) != 2:
            errors.append(
                (line, _("expected two columns, a name and an email, found %(n)s") % {"n": len(row)})
            )
            continue
        name, email = row
        if not name or len(name) > 200:
            errors.append((line, _("the name is empty or longer than 200 characters")))
            continue
        try:
            validate_email(email)
        except ValidationError:
            errors.append((line, _("“%(email)s” is not an email address") % {"email": email[:100]}))
            continue
        if email.lower() in seen:
            errors.append(
                (line, _("this address is already on line %(line)s") % {"line": seen[email.lower()]})
            )
            continue
        seen[email.lower()] = line
        candidates.append(Candidate(line=line, name=name, email=email))
    if errors:
        raise CsvRowErrors(errors)
    return candidates
