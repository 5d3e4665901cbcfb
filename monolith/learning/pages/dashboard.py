"""The learner's dashboard: points, progress per module, recent submissions, teams."""

from django.shortcuts import render

from monolith.accounts import selectors as account_selectors
from monolith.accounts.services.wallet import wallet_balance
from monolith.learning import selectors
from monolith.learning.pages import labels
from monolith.learning.pages.shortcuts import progress_of
from monolith.web.decorators import login_required

RECENT_SUBMISSIONS = 5


@login_required
def dashboard(request):
    user = request.user
    started = list(selectors.top_module_progress_list(user=user))
    ids = [row.module_id for row in started]
    counts = selectors.exercise_counts(module_ids=ids)
    rows = {row.module_id: row for row in started}
    recent = list(selectors.submission_list(user=user)[:RECENT_SUBMISSIONS])
    context = {
        "nav": "dashboard",
        "points": wallet_balance(user=user),
        "solved": selectors.solved_exercise_count(user=user),
        "completed": sum(1 for row in started if row.is_completed),
        "modules": [
            {
                "module": row.module,
                "kind": labels.module_kind(row.module.kind),
                "progress": progress_of(row.module_id, counts=counts, rows=rows),
            }
            for row in started
        ],
        "recent": recent,
        "teams": list(account_selectors.team_list(user=user)),
    }
    return render(request, "learning/dashboard.html", context)
