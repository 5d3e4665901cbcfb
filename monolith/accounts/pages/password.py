"""Password reset by mail: Django's views and tokens, PolyCode's mail.

The reset link is mailed through the notifications path (``mail_request``), so
it is delivered by the mailer service when ``mail_via_queue`` is on, in the
account's language. The "sent" page is the same whether the address exists or
not: the form never tells who has an account.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm

from monolith.accounts.tokens import site_url
from monolith.notifications.kinds import MailKind
from monolith.notifications.services import mail_request


class MailedPasswordResetForm(PasswordResetForm):
    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        user = context["user"]
        mail_request(
            kind=MailKind.PASSWORD_RESET,
            to=to_email,
            language=user.preferred_language,
            context={
                "username": user.get_username(),
                "reset_url": site_url(f"password/reset/{context['uid']}/{context['token']}/"),
                "ttl_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
            },
        )


password_reset = auth_views.PasswordResetView.as_view(
    form_class=MailedPasswordResetForm,
    template_name="accounts/password_reset.html",
    success_url="/password/reset/done/",
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url="/password/reset/complete/",
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
