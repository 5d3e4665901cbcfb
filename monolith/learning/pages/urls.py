"""Learning's pages, mounted at the site's root (``/learn/…``, ``/dashboard/``, ``/leaderboard/``)."""

app_name = "learning-pages"

urlpatterns = []
