"""Account pages, mounted at the site's root (``/signup/``, ``/settings/``, ``/teams/``, …)."""

app_name = "account-pages"

urlpatterns = []
