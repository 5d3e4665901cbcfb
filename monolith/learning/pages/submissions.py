"""The learner's submission history and one submission: code, verdict, tests (hidden ones only counted)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from monolith.learning import selectors
from monolith.learning.apis import ResultOutputSerializer
from monolith.learning.highlight import highlight_code
from monolith.learning.pages import labels
from monolith.learning.pages.forms import SubmissionFilterForm
from monolith.learning.pages.shortcuts import get_or_404
from monolith.web.decorators import login_required

PER_PAGE = 20


@login_required
def submission_list(request):
    form = SubmissionFilterForm(request.GET, exercises=selectors.submitted_exercises(user=request.user))
    valid = form.is_valid()
    submissions = selectors.submission_list(user=request.user, filters=form.filters() if valid else {})
    page = Paginator(submissions, PER_PAGE).get_page(request.GET.get("page")) if valid else None
    context = {
        "nav": "submissions",
        "form": form,
        "page_obj": page,
        "filtered": any(value for key, value in request.GET.items() if key != "page"),
    }
    return render(request, "learning/submissions.html", context, status=200 if valid else 400)


@login_required
def submission_detail(request, pk: int):
    submission = get_or_404(selectors.submission_get, user=request.user, submission_id=pk)
    # The API's redaction decides what counts as hidden (hidden then or now);
    # the page shows hidden tests as counts only.
    context = {
        "reveal": selectors.validator_reveal(user=request.user, exercise_ids=[submission.exercise_id]),
        "validators": selectors.validators_by_id(exercise_ids=[submission.exercise_id]),
    }
    results = ResultOutputSerializer(submission.results, many=True, context=context).data
    visible = [_shown(result) for result in results if not result["hidden"]]
    hidden = [r for r in results if r["hidden"]]
    page = {
        "nav": "submissions",
        "submission": submission,
        "code_html": highlight_code(submission.code, submission.language),
        "visible": visible,
        "hidden_total": len(hidden),
        "hidden_passed": sum(1 for r in hidden if r["passed"]),
        "passed_total": sum(1 for r in results if r["passed"]),
        "total": len(results),
    }
    return render(request, "learning/submission.html", page)


def _shown(result: dict) -> dict:
    return {
        **result,
        "verdict_label": labels.verdict(result["verdict"]) if result.get("verdict") else "",
        "stdin_text": "\n".join(result.get("stdin", [])),
        "expected_text": "\n".join(result.get("expected_stdout", [])),
    }
