"""``/settings/``: profile, language and editor preferences."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.errors import ServiceError
from monolith.accounts.models import User
from monolith.accounts.pages.errors import form_refused
from monolith.accounts.pages.forms import ProfileForm
from monolith.accounts.services.users import user_profile_update
from monolith.web.decorators import login_required


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    # The form edits a copy: a refused value must not show up in the navigation bar.
    form = ProfileForm(
        request.POST if request.method == "POST" else None, instance=User.objects.get(pk=request.user.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = user_profile_update(user=request.user, data=form.cleaned_data)
        except ServiceError as exc:
            form_refused(form, exc)
        else:
            # Said in the language just chosen: the next page is shown in it.
            with translation.override(user.preferred_language):
                messages.success(request, _("Your settings are saved."))
            return redirect("account-pages:settings")
    return render(request, "accounts/settings.html", {"form": form, "nav": "settings", "tab": "profile"})
