"""Staff edit an exam's rules here, follow attempts, and revoke certificates (with a reason)."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import render

from common.errors import ServiceError
from monolith.certificates import services
from monolith.certificates.models import Certificate, Exam, ExamAnswer, ExamAttempt, PublicProfile


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ("module", "duration_minutes", "pass_percent", "max_attempts", "cooldown_minutes")
    search_fields = ("module__title",)


class ExamAnswerInline(admin.TabularInline):
    model = ExamAnswer
    extra = 0
    can_delete = False
    fields = ("exercise", "language", "saved_at", "judged_at", "tests_passed", "tests_total")
    readonly_fields = fields


@admin.register(ExamAttempt)
class ExamAttemptAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "exam",
        "number",
        "started_at",
        "deadline",
        "finished_at",
        "points_earned",
        "passed",
    )
    list_filter = ("passed", "ended_by")
    search_fields = ("user__username", "exam__module__title")
    readonly_fields = [f.name for f in ExamAttempt._meta.fields]
    inlines = [ExamAnswerInline]


class RevokeForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("public_id", "holder_name", "title", "issued_at", "score_percent", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("public_id", "holder_name", "user__username", "title")
    readonly_fields = [f.name for f in Certificate._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # certificates are issued by passing an exam

    @admin.action(description="Revoke the selected certificates (with a reason)")
    def revoke(self, request, queryset):
        form = RevokeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            revoked = 0
            for certificate in queryset:
                try:
                    services.certificate_revoke(
                        certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
                    )
                    revoked += 1
                except ServiceError as error:
                    self.message_user(request, f"{certificate.public_id}: {error.message}", messages.WARNING)
            self.message_user(request, f"{revoked} certificate(s) revoked.", messages.SUCCESS)
            return None
        return render(
            request,
            "certificates/admin_revoke.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "certificates": queryset,
                "opts": self.model._meta,
            },
        )


@admin.register(PublicProfile)
class PublicProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "is_public", "updated_at")
    search_fields = ("user__username",)
