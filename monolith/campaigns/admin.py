"""Staff manage campaigns here too: exercises inline, rejudge and result actions."""

from django.contrib import admin, messages

from common.errors import ServiceError
from monolith.campaigns import services
from monolith.campaigns.models import (
    Campaign,
    CampaignExercise,
    CampaignResult,
    CampaignSubmission,
    Registration,
)


class CampaignExerciseInline(admin.TabularInline):
    model = CampaignExercise
    extra = 1
    raw_id_fields = ["exercise"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "starts_at",
        "ends_at",
        "scoring",
        "participation",
        "team",
        "results_published_at",
    ]
    list_filter = ["scoring", "participation"]
    search_fields = ["title"]
    raw_id_fields = ["team", "created_by"]
    readonly_fields = ["results_published_at", "created_at"]
    inlines = [CampaignExerciseInline]
    actions = ["publish_results"]

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish (or recompute) the results of ended campaigns")
    def publish_results(self, request, queryset):
        for campaign in queryset:
            try:
                services.campaign_results_publish(campaign=campaign)
            except ServiceError as exc:
                self.message_user(request, f"{campaign}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{campaign}: results published.", messages.SUCCESS)


@admin.register(CampaignExercise)
class CampaignExerciseAdmin(admin.ModelAdmin):
    list_display = ["campaign", "label", "exercise", "points"]
    list_select_related = ["campaign", "exercise"]
    raw_id_fields = ["campaign", "exercise"]
    actions = ["rejudge"]

    @admin.action(description="Rejudge every submission of these exercises")
    def rejudge(self, request, queryset):
        for item in queryset.select_related("campaign", "exercise"):
            try:
                count = services.campaign_exercise_rejudge(campaign_exercise=item)
            except ServiceError as exc:
                self.message_user(request, f"{item}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{item}: {count} submissions judged again.", messages.SUCCESS)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["campaign", "user", "team", "created_at"]
    list_select_related = ["campaign", "user", "team"]
    raw_id_fields = ["campaign", "user", "team", "registered_by"]


@admin.register(CampaignSubmission)
class CampaignSubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "campaign",
        "campaign_exercise",
        "user",
        "passed",
        "tests_passed",
        "tests_total",
        "created_at",
    ]
    list_filter = ["passed"]
    list_select_related = ["campaign", "campaign_exercise", "user"]
    raw_id_fields = ["campaign", "registration", "campaign_exercise", "user"]
    readonly_fields = ["created_at", "judged_at"]


@admin.register(CampaignResult)
class CampaignResultAdmin(admin.ModelAdmin):
    list_display = ["campaign", "rank", "registration", "score", "penalty", "points_awarded"]
    list_select_related = ["campaign", "registration"]
    raw_id_fields = ["campaign", "registration"]
