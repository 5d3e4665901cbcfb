"""Admin of the interviews: read-mostly views for support (the team's pages are where work happens)."""

from django.contrib import admin

from monolith.interviews.models import Assessment, AssessmentVersion, Attempt, Invitation, TeamExercise


@admin.register(TeamExercise)
class TeamExerciseAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "updated_at")
    list_filter = ("team",)
    search_fields = ("title",)


class VersionInline(admin.TabularInline):
    model = AssessmentVersion
    fields = ("number", "title", "duration_minutes", "opens_at", "closes_at", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "team", "created_at")
    list_filter = ("team",)
    inlines = [VersionInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "assessment", "status", "expires_at")
    list_filter = ("status",)
    search_fields = ("email", "name")
    exclude = ("token_hash",)
    readonly_fields = ("assessment", "invited_by", "sent_at", "reminded_at", "revoked_at", "erased_at")


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("public_id", "invitation", "started_at", "deadline", "finished_at", "score_percent")
    exclude = ("key_hash",)
    readonly_fields = (
        "invitation",
        "version",
        "started_at",
        "deadline",
        "finished_at",
        "ended_by",
        "tests_passed",
        "tests_total",
        "score_percent",
    )
