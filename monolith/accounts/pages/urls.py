"""Account pages, mounted at the site's root (``/signup/``, ``/settings/``, ``/teams/``, …)."""

from django.urls import path

from monolith.accounts import urls as _api_urls  # noqa: F401 - registers the accounts_id converter
from monolith.accounts.pages import emails, mail_links, password, preferences, signup, teams

app_name = "account-pages"

urlpatterns = [
    path("signup/", signup.signup, name="signup"),
    path("password/reset/", password.password_reset, name="password-reset"),
    path("password/reset/done/", password.password_reset_done, name="password-reset-done"),
    path("password/reset/complete/", password.password_reset_complete, name="password-reset-complete"),
    path("password/reset/<uidb64>/<token>/", password.password_reset_confirm, name="password-reset-confirm"),
    path("settings/", preferences.settings_page, name="settings"),
    path("settings/emails/", emails.email_list, name="emails"),
    path("settings/emails/<accounts_id:pk>/resend/", emails.email_resend, name="email-resend"),
    path("settings/emails/<accounts_id:pk>/primary/", emails.email_make_primary, name="email-primary"),
    path("settings/emails/<accounts_id:pk>/delete/", emails.email_delete, name="email-delete"),
    path("teams/", teams.team_list, name="teams"),
    path("teams/<accounts_id:pk>/", teams.team_detail, name="team"),
    path("teams/<accounts_id:pk>/invite/", teams.team_invite, name="team-invite"),
    path(
        "teams/<accounts_id:pk>/invitations/<accounts_id:invitation_pk>/revoke/",
        teams.team_revoke,
        name="team-revoke",
    ),
    path("teams/<accounts_id:pk>/remove/", teams.team_remove, name="team-remove"),
    path("teams/<accounts_id:pk>/captain/", teams.team_transfer, name="team-captain"),
    path("teams/<accounts_id:pk>/leave/", teams.team_leave_page, name="team-leave"),
    # Where the links in mails lead (services/emails.py, services/teams.py build them).
    path("emails/verify/<str:token>", mail_links.email_verify, name="email-verify"),
    path("teams/invitations/<str:token>", mail_links.team_invitation, name="team-invitation"),
]
