"""What every learning page does the same way."""

from django.http import Http404

from common.errors import NotFound


def get_or_404(selector, **kwargs):
    """Call a selector; what it does not find (or the user may not see) is the site's 404 page."""
    try:
        return selector(**kwargs)
    except NotFound as error:
        raise Http404(error.message) from error


def progress_of(module_id: int, *, counts: dict[int, int], rows: dict) -> dict:
    """A progress bar's figures: exercises passed of the module's current total."""
    total = counts.get(module_id, 0)
    row = rows.get(module_id)
    done = min(row.exercises_passed, total) if row else 0
    return {"done": done, "total": total, "completed": bool(row and row.is_completed)}
