from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    FRENCH = "fr", "Français"


class ProgrammingLanguage(models.TextChoices):
    """Languages the code editor can open with (the runner's language ids)."""

    PYTHON = "python", "Python"
    JAVASCRIPT = "javascript", "JavaScript"
    C = "c", "C"
    CPP = "cpp", "C++"
    JAVA = "java", "Java"
    RUST = "rust", "Rust"


class EditorTheme(models.TextChoices):
    LIGHT = "light", "Light"
    DARK = "dark", "Dark"


class EditorKeymap(models.TextChoices):
    DEFAULT = "default", "Default"
    VIM = "vim", "Vim"
    EMACS = "emacs", "Emacs"


class User(AbstractUser):
    """A PolyCode account: learner, recruiter or staff.

    ``email`` mirrors the user's primary ``EmailAddress``; the account
    services keep the two in sync.
    """

    description = models.TextField(blank=True, max_length=2000)
    preferred_language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    preferred_editing_language = models.CharField(
        max_length=32,
        blank=True,
        choices=ProgrammingLanguage.choices,
        help_text="Programming language the editor opens with, e.g. python.",
    )
    editor_theme = models.CharField(max_length=8, choices=EditorTheme.choices, default=EditorTheme.LIGHT)
    editor_keymap = models.CharField(max_length=8, choices=EditorKeymap.choices, default=EditorKeymap.DEFAULT)

    class Meta(AbstractUser.Meta):
        constraints = [
            # "Ada" and "ada" would be indistinguishable on a leaderboard or in an invitation.
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_ci_unique",
                violation_error_message="A user with that username already exists.",
            )
        ]


class Wallet(models.Model):
    """A user's polypoints: a cached balance over an append-only ledger.

    The balance is only changed together with a new ``LedgerEntry`` while the
    wallet row is locked, so ``balance == sum(entries.amount)`` always holds;
    the check constraint makes a negative balance impossible at the database.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="wallet")
    balance = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="wallet_balance_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.balance} pts)"


class LedgerEntry(models.Model):
    """One credit (positive) or debit (negative) of polypoints; never updated.

    ``reference`` is unique: retrying a credit or debit with the same
    reference has no second effect.
    """

    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE, related_name="entries")
    amount = models.IntegerField()
    reference = models.CharField(max_length=200, unique=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_amount_not_zero")]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.reference}"


class EmailAddress(models.Model):
    """One of a user's email addresses.

    An address belongs to one account at most, whatever its case; each user
    has at most one primary address, and only a verified address can become
    primary (except the first one, given at registration).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_addresses")
    email = models.EmailField(max_length=254)
    primary = models.BooleanField(default=False)
    verified = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-primary", "email", "id"]
        verbose_name_plural = "email addresses"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="emailaddress_email_ci_unique",
                violation_error_message="This email address is already in use.",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(primary=True),
                name="emailaddress_one_primary_per_user",
                violation_error_message="A user has only one primary email address.",
            ),
        ]

    def __str__(self) -> str:
        return self.email


class EmailVerificationToken(models.Model):
    """A single-use, expiring proof that its holder reads ``email_address``.

    Only the SHA-256 of the token is stored: a leaked database does not
    verify anyone's address.
    """

    email_address = models.ForeignKey(
        EmailAddress, on_delete=models.CASCADE, related_name="verification_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"verification of {self.email_address}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class TeamKind(models.TextChoices):
    COMMUNITY = "community", "Community"
    RECRUITING = "recruiting", "Recruiting"


class Team(models.Model):
    """A group of users led by exactly one captain, who is also a member.

    A ``recruiting`` team is how a recruiter's company runs assessments.
    """

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, max_length=1000)
    kind = models.CharField(max_length=16, choices=TeamKind.choices, default=TeamKind.COMMUNITY)
    # PROTECT: a captain's account cannot disappear and leave the team headless.
    captain = models.ForeignKey(User, on_delete=models.PROTECT, related_name="captained_teams")
    members = models.ManyToManyField(User, through="TeamMembership", related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="team_name_ci_unique",
                violation_error_message="A team with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="teammembership_once_per_team")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class TeamInvitation(models.Model):
    """An invitation of an email address to join a team, answered by token.

    Only the SHA-256 of the token is stored. A pending invitation past
    ``expires_at`` is expired even before its status is updated: read
    ``effective_status``.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="sent_team_invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="answered_team_invitations"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                models.F("team"),
                Lower("email"),
                condition=models.Q(status="pending"),
                name="teaminvitation_one_pending_per_email",
                violation_error_message="This address already has a pending invitation to this team.",
            )
        ]
        indexes = [models.Index(fields=["team", "status"], name="teaminvitation_team_status")]

    def __str__(self) -> str:
        return f"{self.email} to {self.team}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def effective_status(self) -> str:
        if self.status == InvitationStatus.PENDING and self.is_expired:
            return InvitationStatus.EXPIRED
        return self.status
