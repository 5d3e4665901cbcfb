from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count, Value
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from monolith.accounts.models import (
    EmailAddress,
    InvitationStatus,
    LedgerEntry,
    Team,
    TeamInvitation,
    TeamMembership,
    User,
)

#: How many ledger entries the user page shows; the full ledger is one click away.
RECENT_LEDGER_ENTRIES = 20


class EmailAddressForm(forms.ModelForm):
    """An existing address keeps its text.

    Editing it would leave ``User.email`` stale and carry a verification over to
    an address nobody verified; staff add a new address instead.
    """

    class Meta:
        model = EmailAddress
        fields = ["user", "email", "primary", "verified", "verified_at"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        if self.instance.pk and email.lower() != self.instance.email.lower():
            raise ValidationError("An existing address cannot be changed; add a new one instead.")
        return email


class OnePrimaryFormSet(BaseInlineFormSet):
    """Refuse two primary addresses in one save, before the database does."""

    def clean(self):
        super().clean()
        primaries = [
            form
            for form in self.forms
            if form.cleaned_data.get("primary") and not form.cleaned_data.get("DELETE", False)
        ]
        if len(primaries) > 1:
            raise ValidationError("A user has only one primary email address.")

    def save(self, commit=True):
        # Forms are saved in order: unset the old primary first, or moving the
        # flag to another address would briefly make two.
        if commit:
            unset = [
                form.instance.pk
                for form in self.initial_forms
                if "primary" in form.changed_data and not form.cleaned_data.get("primary")
            ]
            EmailAddress.objects.filter(pk__in=unset).update(primary=False)
        return super().save(commit)


class EmailAddressInline(admin.TabularInline):
    model = EmailAddress
    form = EmailAddressForm
    formset = OnePrimaryFormSet
    extra = 0
    fields = ["email", "primary", "verified", "verified_at", "created_at"]
    readonly_fields = ["verified_at", "created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Profile", {"fields": ("description", "preferred_language", "preferred_editing_language")}),
        ("Points", {"fields": ("points", "recent_ledger")}),
    )
    list_display = [
        "username",
        "email",
        "points",
        "preferred_language",
        "is_active",
        "is_staff",
        "date_joined",
    ]
    list_filter = [*DjangoUserAdmin.list_filter, "preferred_language"]
    inlines = [EmailAddressInline]

    def get_readonly_fields(self, request, obj=None):
        # User.email mirrors the primary address: edit it through the addresses below.
        readonly = ["points", "recent_ledger"]
        return [*readonly, "email"] if obj is not None else readonly

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(points=Coalesce("wallet__balance", Value(0)))

    @admin.display(description="points", ordering="points")
    def points(self, obj) -> int:
        return getattr(obj, "points", 0)

    @admin.display(description="recent ledger entries")
    def recent_ledger(self, obj):
        entries = LedgerEntry.objects.filter(wallet__user=obj).order_by("-created_at", "-id")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
                    f"{e.amount:+d}",
                    e.reference,
                    e.reason,
                )
                for e in entries[:RECENT_LEDGER_ENTRIES]
            ),
        )
        url = (
            reverse("admin:accounts_ledgerentry_changelist")
            + "?"
            + urlencode({"wallet__user__id__exact": obj.pk})
        )
        return format_html(
            "<table><thead><tr><th>when</th><th>amount</th><th>reference</th><th>reason</th></tr></thead>"
            '<tbody>{}</tbody></table><p><a href="{}">All ledger entries of this user</a></p>',
            rows or format_html("<tr><td colspan='4'>No entries.</td></tr>"),
            url,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        primary = user.email_addresses.filter(primary=True).values_list("email", flat=True).first()
        if primary is not None and primary != user.email:
            User.objects.filter(pk=user.pk).update(email=primary)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """The ledger is append-only: the admin reads it and never writes."""

    list_display = ["created_at", "username", "amount", "reference", "reason"]
    list_select_related = ["wallet__user"]
    search_fields = ["reference", "wallet__user__username"]
    list_filter = ["created_at"]
    date_hierarchy = "created_at"

    @admin.display(description="user", ordering="wallet__user__username")
    def username(self, obj) -> str:
        return obj.wallet.user.username

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmailAddress)
class EmailAddressAdmin(admin.ModelAdmin):
    list_display = ["email", "user", "primary", "verified", "created_at"]
    list_filter = ["primary", "verified"]
    search_fields = ["email", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    # The primary flag moves through the user's page, which keeps User.email in sync.
    readonly_fields = ["primary", "verified_at", "created_at"]

    form = EmailAddressForm

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "user"]
        return self.readonly_fields

    actions = ["mark_verified"]

    @admin.action(description="Mark the selected addresses as verified")
    def mark_verified(self, request, queryset):
        count = queryset.filter(verified=False).update(verified=True, verified_at=timezone.now())
        self.message_user(request, f"{count} address(es) marked as verified.", messages.SUCCESS)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["joined_at"]


class TeamInvitationInline(admin.TabularInline):
    model = TeamInvitation
    extra = 0
    fields = ["email", "status", "invited_by", "created_at", "expires_at", "responded_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "captain", "members_count", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["name", "captain__username", "memberships__user__username"]
    list_select_related = ["captain"]
    autocomplete_fields = ["captain"]
    inlines = [TeamMembershipInline, TeamInvitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members_count=Count("memberships", distinct=True))

    @admin.display(description="members", ordering="members_count")
    def members_count(self, obj) -> int:
        return obj.members_count

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The captain is always a member, even if the inline removed them.
        TeamMembership.objects.get_or_create(team=form.instance, user=form.instance.captain)


@admin.register(TeamInvitation)
class TeamInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "team", "status", "invited_by", "created_at", "expires_at"]
    list_filter = ["status", "team__kind", "created_at"]
    search_fields = ["email", "team__name", "invited_by__username"]
    list_select_related = ["team", "invited_by"]
    fields = [
        "team",
        "email",
        "status",
        "invited_by",
        "created_at",
        "expires_at",
        "responded_at",
        "responded_by",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        # An invitation is only useful with the token mailed by the captain's request.
        return False

    @admin.action(description="Revoke the selected pending invitations")
    def revoke(self, request, queryset):
        count = queryset.filter(status=InvitationStatus.PENDING).update(
            status=InvitationStatus.REVOKED, responded_at=timezone.now(), responded_by=request.user
        )
        self.message_user(request, f"{count} invitation(s) revoked.", messages.SUCCESS)
