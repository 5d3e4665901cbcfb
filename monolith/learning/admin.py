from django import forms
from django.contrib import admin
from django.db.models import Count

from monolith.learning.models import (
    Content,
    EditorSetting,
    ExerciseProgress,
    Module,
    ModuleProgress,
    Submission,
    Tag,
    Validator,
    ValidatorUnlock,
)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ContentInline(admin.TabularInline):
    model = Content
    fields = ["position", "kind", "title", "slug", "reward"]
    ordering = ["position", "id"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True
    extra = 0


class SubmoduleInline(admin.TabularInline):
    model = Module
    fk_name = "parent"
    fields = ["position", "title", "slug", "reward", "is_published"]
    ordering = ["position", "id"]
    show_change_link = True
    extra = 0
    verbose_name = "submodule"
    verbose_name_plural = "submodules"


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "is_published", "reward", "content_count", "parent", "position"]
    list_filter = ["kind", "is_published", "tags"]
    list_editable = ["is_published", "position"]
    search_fields = ["title", "slug", "description", "tags__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["parent"]
    raw_id_fields = ["author"]
    filter_horizontal = ["tags"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ContentInline, SubmoduleInline]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("parent").annotate(_content_count=Count("contents"))
        )

    @admin.display(description="# contents", ordering="_content_count")
    def content_count(self, module) -> int:
        return module._content_count

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)


class LinesField(forms.CharField):
    """A list of lines edited as text, one line per line of the text area."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 40, "style": "font-family: monospace"})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if text else []


class ValidatorForm(forms.ModelForm):
    stdin = LinesField(required=False, strip=False, help_text="One input line per line.")
    expected_stdout = LinesField(required=False, strip=False, help_text="One expected output line per line.")

    class Meta:
        model = Validator
        fields = ["position", "stdin", "expected_stdout", "is_hidden"]


class ValidatorInline(admin.TabularInline):
    model = Validator
    form = ValidatorForm
    fields = ["position", "stdin", "expected_stdout", "is_hidden"]
    ordering = ["position", "id"]
    extra = 0


class EditorSettingInline(admin.StackedInline):
    model = EditorSetting
    fields = ["language", "version", "starter_code"]
    extra = 0


@admin.register(Content)
class ContentAdmin(admin.ModelAdmin):
    list_display = ["title", "module", "kind", "position", "reward", "validator_count", "languages"]
    list_filter = ["kind", "module__kind", "module__is_published", "module"]
    search_fields = ["title", "slug", "body", "module__title"]
    list_select_related = ["module"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["module"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["module__position", "module_id", "position", "id"]
    inlines = [ValidatorInline, EditorSettingInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_validator_count=Count("validators", distinct=True))
            .prefetch_related("editor_settings")
        )

    @admin.display(description="# tests", ordering="_validator_count")
    def validator_count(self, content) -> int:
        return content._validator_count

    @admin.display(description="languages")
    def languages(self, content) -> str:
        return ", ".join(sorted(s.language for s in content.editor_settings.all()))


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "exercise", "language", "passed", "created_at"]
    list_filter = ["passed", "language", "created_at"]
    search_fields = ["user__username", "exercise__title"]
    list_select_related = ["user", "exercise"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "user",
        "exercise",
        "language",
        "code",
        "passed",
        "results",
        "compile_output",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExerciseProgress)
class ExerciseProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "exercise", "attempts", "first_passed_at", "updated_at"]
    list_filter = [("first_passed_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "exercise__title"]
    list_select_related = ["user", "exercise"]
    readonly_fields = ["user", "exercise", "attempts", "last_attempt", "last_success", "first_passed_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ModuleProgress)
class ModuleProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "module", "exercises_passed", "exercises_total", "points_earned", "completed_at"]
    list_filter = ["module__kind", ("completed_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "module__title"]
    list_select_related = ["user", "module"]
    readonly_fields = [
        "user",
        "module",
        "exercises_passed",
        "exercises_total",
        "points_earned",
        "completed_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ValidatorUnlock)
class ValidatorUnlockAdmin(admin.ModelAdmin):
    list_display = ["user", "validator", "created_at"]
    search_fields = ["user__username", "validator__exercise__title"]
    list_select_related = ["user", "validator__exercise"]
    raw_id_fields = ["user", "validator"]
