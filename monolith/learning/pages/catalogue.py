"""The catalogue of modules and a module's page."""

from django.shortcuts import render

from monolith.learning import selectors
from monolith.learning.pages import labels
from monolith.learning.pages.forms import CatalogueFilterForm
from monolith.learning.pages.shortcuts import get_or_404, progress_of


def catalogue(request):
    """Top-level modules, filtered by kind and tag; each with the learner's progress."""
    form = CatalogueFilterForm(
        request.GET, tags=selectors.tag_list(user=request.user), kind_labels=labels.MODULE_KINDS
    )
    modules = []
    if form.is_valid():
        modules = list(selectors.module_list(user=request.user, filters=form.filters()))
    ids = [module.id for module in modules]
    counts = selectors.exercise_counts(module_ids=ids)
    rows = selectors.module_progress_by_module(user=request.user, module_ids=ids)
    items = [
        {
            "module": module,
            "kind": labels.module_kind(module.kind),
            "progress": progress_of(module.id, counts=counts, rows=rows),
        }
        for module in modules
    ]
    context = {"nav": "learn", "form": form, "items": items, "filtered": any(request.GET.values())}
    return render(request, "learning/catalogue.html", context, status=400 if form.errors else 200)


def module_detail(request, pk: int):
    """A module's ordered lessons and exercises (solved ones marked), its chapters and progress."""
    module = get_or_404(selectors.module_get, user=request.user, module_id=pk)
    contents = list(selectors.module_contents(module=module))
    submodules = list(selectors.module_submodules(user=request.user, module=module))
    passed = (
        selectors.passed_exercise_ids(
            user=request.user, exercise_ids=[c.id for c in contents if c.is_exercise]
        )
        if request.user.is_authenticated
        else set()
    )
    lesson_ids = [c.id for c in contents if not c.is_exercise]
    read = selectors.read_lesson_ids(user=request.user, lesson_ids=lesson_ids)
    ids = [module.id, *(sub.id for sub in submodules)]
    counts = selectors.exercise_counts(module_ids=ids)
    rows = selectors.module_progress_by_module(user=request.user, module_ids=ids)
    context = {
        "nav": "learn",
        "module": module,
        "kind": labels.module_kind(module.kind),
        "progress": progress_of(module.id, counts=counts, rows=rows),
        "contents": [{"content": c, "passed": c.id in passed, "read": c.id in read} for c in contents],
        "submodules": [
            {"module": sub, "progress": progress_of(sub.id, counts=counts, rows=rows)} for sub in submodules
        ],
    }
    return render(request, "learning/module.html", context)
