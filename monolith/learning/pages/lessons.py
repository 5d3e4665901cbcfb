"""A lesson: its Markdown rendered with highlighted code, and the way to the module's next item."""

from django.shortcuts import redirect, render

from monolith.learning import selectors
from monolith.learning.pages.shortcuts import get_or_404
from monolith.learning.rendering import markdown_to_html


def content_url(content) -> str:
    kind = "exercises" if content.is_exercise else "lessons"
    return f"/learn/{kind}/{content.id}/"


def lesson_detail(request, pk: int):
    content = get_or_404(selectors.content_get, user=request.user, content_id=pk)
    if content.is_exercise:
        return redirect(content_url(content))
    siblings = list(selectors.module_contents(module=content.module).only("id", "kind", "title"))
    index = next(i for i, sibling in enumerate(siblings) if sibling.id == content.id)
    previous = siblings[index - 1] if index > 0 else None
    following = siblings[index + 1] if index + 1 < len(siblings) else None
    context = {
        "nav": "learn",
        "lesson": content,
        "module": content.module,
        "body_html": markdown_to_html(content.body),
        "previous": previous and {"title": previous.title, "url": content_url(previous)},
        "next": following and {"title": following.title, "url": content_url(following)},
        "position": index + 1,
        "count": len(siblings),
    }
    return render(request, "learning/lesson.html", context)
