"""The server's reading of CodeMirror change sets (the JSON ``ChangeSet.toJSON()`` writes)."""

import pytest

from monolith.interviews.pad.changes import InvalidChanges, apply


def test_keep_insert_delete():
    assert apply("hello", [5, [0, " world"]]) == "hello world"
    assert apply("hello world", [5, [6]]) == "hello"
    assert apply("abc", [[1, "x", "y"], 2]) == "x\nybc"


def test_lengths_count_utf16_units_like_the_browser():
    # "é" is one unit, the emoji two: the browser's offsets
    assert apply("é😀x", [3, [1, "y"]]) == "é😀y"


@pytest.mark.parametrize("changes", [[4], [2], "oops", [[-1]], [True], [["x"]], [[0, 3]], [1, [0, "a"], 9]])
def test_changes_that_do_not_fit_are_refused(changes):
    with pytest.raises(InvalidChanges):
        apply("abc", changes)
