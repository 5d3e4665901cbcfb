"""``/settings/emails/``: a person's addresses; add, resend the link, make primary, remove."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.errors import ServiceError
from monolith.accounts import selectors
from monolith.accounts.pages.actions import post_only
from monolith.accounts.pages.errors import form_refused, notice_refused
from monolith.accounts.pages.forms import EmailAddForm
from monolith.accounts.services.emails import (
    email_address_add,
    email_address_delete,
    email_address_make_primary,
    email_verification_resend,
)
from monolith.web.decorators import login_required

PAGE = "account-pages:emails"


def _page(request, form):
    addresses = selectors.email_address_list(user=request.user)
    context = {"form": form, "addresses": addresses, "nav": "settings", "tab": "emails"}
    return render(request, "accounts/settings_emails.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def email_list(request):
    if request.method == "GET":
        return _page(request, EmailAddForm())
    form = EmailAddForm(request.POST)
    if form.is_valid():
        try:
            address = email_address_add(user=request.user, email=form.cleaned_data["email"])
        except ServiceError as exc:
            form_refused(form, exc)
        else:
            messages.success(
                request,
                _("%(email)s is added; open the link we sent there to confirm it.")
                % {"email": address.email},
            )
            return redirect(PAGE)
    return _page(request, form)


def _act(request, pk: int, action, done: str):
    """Run ``action`` on one of the person's addresses; the outcome is a notice on the list."""
    try:
        address = selectors.email_address_get(user=request.user, pk=pk)
        action(address=address)
    except ServiceError as exc:
        notice_refused(request, exc)
    else:
        messages.success(request, done % {"email": address.email})
    return redirect(PAGE)


@login_required
@post_only(PAGE)
def email_resend(request, pk: int):
    return _act(
        request, pk, email_verification_resend, _("A new confirmation link is on its way to %(email)s.")
    )


@login_required
@post_only(PAGE)
def email_make_primary(request, pk: int):
    return _act(request, pk, email_address_make_primary, _("%(email)s is now your primary address."))


@login_required
@post_only(PAGE)
def email_delete(request, pk: int):
    return _act(request, pk, email_address_delete, _("%(email)s is removed from your account."))
