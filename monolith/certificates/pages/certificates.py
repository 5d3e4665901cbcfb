"""Certificate pages: the holder's list, public verification, the PDF, revoking, the public profile."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from common.errors import NotFound, ServiceError
from monolith.certificates import selectors, services
from monolith.certificates.models import Certificate, Exam
from monolith.certificates.pdf import certificate_pdf
from monolith.web.decorators import login_required


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for revoking"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown on the public verification page."),
        error_messages={"required": gettext_lazy("Give the reason for revoking this certificate.")},
    )


class ProfileForm(forms.Form):
    is_public = forms.BooleanField(
        label=gettext_lazy("Make my public profile visible to everyone"),
        required=False,
        help_text=gettext_lazy("It shows your name, your points and the certificates you do not hide."),
    )


def _public(public_id: str) -> Certificate | None:
    try:
        return selectors.certificate_get_public(public_id=public_id)
    except NotFound:
        return None


@login_required
@require_GET
def certificate_list(request):
    certificates = list(selectors.certificate_list(user=request.user))
    exams = Exam.objects.filter(module__is_published=True).select_related("module").order_by("module__title")
    return render(
        request,
        "certificates/list.html",
        {
            "nav": "certificates",
            "certificates": certificates,
            "exams": exams,
            "profile_form": ProfileForm(
                initial={"is_public": selectors.profile_is_public(user=request.user)}
            ),
            "profile_url": f"/u/{request.user.username}/",
        },
    )


@login_required
@require_POST
def profile_update(request):
    form = ProfileForm(request.POST)
    form.is_valid()  # a checkbox: absent means off, nothing can be invalid
    profile = services.profile_set_public(
        user=request.user, is_public=form.cleaned_data.get("is_public", False)
    )
    if profile.is_public:
        messages.success(request, _("Your public profile is visible to everyone."))
    else:
        messages.success(request, _("Your public profile is hidden."))
    return redirect("/certificates/")


@require_GET
def certificate_verify(request, public_id: str):
    """Anyone may check a certificate: valid, revoked (when and why) or not found — never an error page."""
    certificate = _public(public_id)
    context = {
        "certificate": certificate,
        "public_id": public_id,
        "is_holder": bool(
            certificate and request.user.is_authenticated and certificate.user_id == request.user.id
        ),
        "revoke_form": RevokeForm() if request.user.is_authenticated and request.user.is_staff else None,
        "verify_url": services.certificate_url(certificate) if certificate else "",
    }
    return render(request, "certificates/verify.html", context, status=200 if certificate else 404)


@require_GET
def certificate_download(request, public_id: str):
    certificate = _public(public_id)
    if certificate is None or certificate.is_revoked:
        raise Http404(_("There is no valid certificate with this id."))
    pdf = certificate_pdf(certificate, url=services.certificate_url(certificate))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="polycode-certificate-{certificate.public_id}.pdf"'
    )
    return response


@login_required
@require_POST
def certificate_revoke(request, public_id: str):
    if not request.user.is_staff:
        raise PermissionDenied(_("Only staff can revoke a certificate."))
    certificate = _public(public_id)
    if certificate is None:
        raise Http404(_("There is no certificate with this id."))
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(request, _("The certificate is revoked."))
            return redirect(f"/certificates/{public_id}")
    context = {
        "certificate": certificate,
        "public_id": public_id,
        "is_holder": certificate.user_id == request.user.id,
        "revoke_form": form,
        "verify_url": services.certificate_url(certificate),
    }
    return render(request, "certificates/verify.html", context, status=400)


@login_required
@require_POST
def certificate_visibility(request, public_id: str):
    certificate = _public(public_id)
    if certificate is None or certificate.user_id != request.user.id:
        raise Http404(_("There is no certificate with this id."))
    hidden = request.POST.get("hidden") == "1"
    services.certificate_set_hidden(certificate=certificate, user=request.user, hidden=hidden)
    if hidden:
        messages.success(
            request, _("“%(title)s” is hidden from your public profile.") % {"title": certificate.title}
        )
    else:
        messages.success(
            request, _("“%(title)s” shows on your public profile.") % {"title": certificate.title}
        )
    return redirect("/certificates/")


@require_GET
def public_profile(request, username: str):
    try:
        profile = selectors.public_profile_get(username=username)
    except NotFound as error:
        raise Http404(error.message) from error
    return render(request, "certificates/profile.html", profile)
