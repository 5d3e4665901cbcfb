"""The leaderboard: everyone, or one of the user's teams; the user's own rank always stated."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from monolith.accounts import selectors as account_selectors
from monolith.accounts.services.wallet import wallet_balance
from monolith.learning.pages.forms import LeaderboardTeamForm

PER_PAGE = 25


def leaderboard(request):
    user = request.user
    teams = list(account_selectors.team_list(user=user)) if user.is_authenticated else []
    asked = request.GET.get("team", "")
    if asked.isdigit() and int(asked) not in {team.id for team in teams}:
        raise Http404("No such team among yours.")  # another team's board is not found, like a missing one
    form = LeaderboardTeamForm(request.GET, teams=teams)
    if not form.is_valid():
        return render(request, "learning/leaderboard.html", {"nav": "leaderboard", "form": form}, status=400)
    team = form.cleaned_data["team"]
    ranked = account_selectors.leaderboard()
    if team is not None:
        ranked = ranked.filter(team_memberships__team=team)
    page = Paginator(ranked, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "nav": "leaderboard",
        "form": form,
        "team": team,
        "teams": teams,
        "page_obj": page,
        "me": _standing(user, ranked) if user.is_authenticated else None,
    }
    return render(request, "learning/leaderboard.html", context)


def _standing(user, ranked) -> dict | None:
    """The user's rank (competition ranking) and the page their row is on; None if they are not ranked."""
    if not ranked.filter(pk=user.pk).exists():
        return None
    points = wallet_balance(user=user)
    ahead = ranked.filter(points__gt=points).count()
    # Rows are ordered by points, then id: the ones before the user's row.
    before = ahead + ranked.filter(points=points, id__lt=user.pk).count()
    return {"rank": ahead + 1, "points": points, "page": before // PER_PAGE + 1}
