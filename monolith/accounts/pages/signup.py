"""``/signup/``: create an account, then sign in without typing the password again."""

from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from common.errors import ServiceError
from monolith.accounts.models import Language
from monolith.accounts.pages.errors import form_refused
from monolith.accounts.pages.forms import SignupForm
from monolith.accounts.services.users import user_register
from monolith.web.decorators import login_url

AFTER_SIGNUP = "/dashboard/"


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(AFTER_SIGNUP)
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = user_register(
                    username=data["username"],
                    email=data["email"],
                    password=data["password"],
                    preferred_language=data["preferred_language"],
                )
            except ServiceError as exc:
                form_refused(form, exc)
            else:
                # The identity provider's session: the gateway's login that follows
                # (OIDC, no consent screen for it) finds the person signed in there.
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect(login_url(AFTER_SIGNUP))
    else:
        current = translation.get_language() or ""
        form = SignupForm(initial={"preferred_language": current if current in Language.values else "en"})
    return render(request, "accounts/signup.html", {"form": form})
