"""Applying a CodeMirror ``ChangeSet`` (its JSON form) to a document on the server.

``ChangeSet.toJSON()`` is a list of sections over the old document, in order: a
number keeps that many characters; a list ``[deleted, *inserted_lines]`` replaces
``deleted`` characters by the lines joined with ``\\n`` (``[deleted]`` alone
deletes). Lengths count UTF-16 code units, as the browser's strings do, so the
text is handled as UTF-16 here. A change set whose length is not the document's
is refused: the client built it on another document.
"""

LINE_BREAK = "\n"


class InvalidChanges(ValueError):
    """The change set is malformed or does not fit the document."""


def normalise(text: str) -> str:
    """Line breaks as the editor keeps them."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _units(text: str) -> bytes:
    return text.encode("utf-16-le", "surrogatepass")


def apply(doc: str, changes) -> str:
    """``doc`` after ``changes``; ``InvalidChanges`` when they do not fit it."""
    if not isinstance(changes, list):
        raise InvalidChanges("changes must be a list")
    old = _units(doc)
    out = []
    pos = 0  # in bytes (two per UTF-16 unit)
    for section in changes:
        if isinstance(section, bool):
            raise InvalidChanges("a section is a number or a list")
        if isinstance(section, int):
            if section < 0:
                raise InvalidChanges("a kept length is not negative")
            out.append(old[pos : pos + 2 * section])
            pos += 2 * section
        elif isinstance(section, list) and section and isinstance(section[0], int) and section[0] >= 0:
            lines = section[1:]
            if not all(isinstance(line, str) for line in lines):
                raise InvalidChanges("inserted lines are strings")
            pos += 2 * section[0]
            if lines:
                out.append(_units(LINE_BREAK.join(lines)))
        else:
            raise InvalidChanges("a section is a number or a list [deleted, *lines]")
        if pos > len(old):
            raise InvalidChanges("the changes are longer than the document")
    if pos != len(old):
        raise InvalidChanges("the changes do not cover the document")
    return b"".join(out).decode("utf-16-le", "surrogatepass")
