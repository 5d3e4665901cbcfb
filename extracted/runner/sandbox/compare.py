"""Comparison of a program's output with the expected output."""

from __future__ import annotations

MODES = ("lines", "exact", "tokens")


def _lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def outputs_match(actual: str, expected: str, mode: str = "lines") -> bool:
    """Whether ``actual`` is an accepted answer for ``expected``.

    ``lines`` (the original PolyCode rule): compared line by line, each line
    trimmed, trailing blank lines ignored, same number of lines.
    ``exact``: byte for byte. ``tokens``: the same whitespace-separated words.
    """
    if mode == "lines":
        return _lines(actual) == _lines(expected)
    if mode == "exact":
        return actual == expected
    if mode == "tokens":
        return actual.split() == expected.split()
    raise ValueError(f"unknown comparison mode {mode!r}")
