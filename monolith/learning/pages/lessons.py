"""A lesson: its Markdown rendered with highlighted code, the module's next item, marking it as read."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monolith.learning import selectors, services
from monolith.learning.pages.shortcuts import get_or_404
from monolith.learning.rendering import markdown_to_html
from monolith.web.decorators import login_required


def content_url(content) -> str:
    kind = "exercises" if content.is_exercise else "lessons"
    return f"/learn/{kind}/{content.id}/"


def _neighbours(content):
    """The module's items before and after ``content``, its position and their number."""
    siblings = list(selectors.module_contents(module=content.module).only("id", "kind", "title"))
    index = next(i for i, sibling in enumerate(siblings) if sibling.id == content.id)
    previous = siblings[index - 1] if index > 0 else None
    following = siblings[index + 1] if index + 1 < len(siblings) else None
    return previous, following, index + 1, len(siblings)


def lesson_detail(request, pk: int):
    content = get_or_404(selectors.content_get, user=request.user, content_id=pk)
    if content.is_exercise:
        return redirect(content_url(content))
    previous, following, position, count = _neighbours(content)
    context = {
        "nav": "learn",
        "lesson": content,
        "module": content.module,
        "body_html": markdown_to_html(content.body),
        "read": content.id in selectors.read_lesson_ids(user=request.user, lesson_ids=[content.id]),
        "previous": previous and {"title": previous.title, "url": content_url(previous)},
        "next": following and {"title": following.title, "url": content_url(following)},
        "position": position,
        "count": count,
    }
    return render(request, "learning/lesson.html", context)


@require_POST
@login_required
def lesson_read(request, pk: int):
    """Mark the lesson as read, then go on to the module's next item (or back to the lesson)."""
    content = get_or_404(selectors.content_get, user=request.user, content_id=pk)
    if content.is_exercise:
        return redirect(content_url(content))
    services.lesson_mark_read(user=request.user, lesson=content)
    messages.success(request, _("“%(title)s” is marked as read.") % {"title": content.title})
    following = _neighbours(content)[1]
    return redirect(content_url(following) if following else content_url(content))
