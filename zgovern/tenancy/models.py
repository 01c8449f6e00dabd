"""Organisations, memberships, invitations, API tokens and the append-only activity log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from zgovern.tenancy.roles import Role, can


class Organization(models.Model):
    """A tenant. Not itself scoped: it is what every scope is made of."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    require_mfa = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # The head of the activity-log chain, so that a removed last row is noticed too.
    log_seq = models.PositiveBigIntegerField(default=0)
    log_head = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return self.name


class TenantModel(models.Model):
    """Base of every row that belongs to an organisation.

    Its manager refuses to query unless a scope is active (``django_scopes.scope``), and
    inside a scope it filters to that organisation: a query can never wander across tenants.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="%(app_label)s_%(class)s_set"
    )

    objects = ScopedManager(organization="organization")

    # The name of the path parameter that identifies one row in web and API routes; the
    # permission walk uses it to find which object a route is about.
    url_param: str = ""

    class Meta:
        abstract = True


class Membership(TenantModel):
    url_param = "member_id"  # the path parameter that names one (web and API)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership_per_org")
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} of {self.organization}"

    def can(self, capability: str) -> bool:
        return can(self.role, capability)


class Invitation(TenantModel):
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=16, choices=Role.choices)
    # Only the SHA-256 of the emailed token is kept: the database alone cannot accept it.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation of {self.email} to {self.organization}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class ApiToken(TenantModel):
    """A bearer token for one organisation. The secret is shown once and stored hashed."""

    url_param = "token_id"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)  # shown in lists so a token can be recognised
    token_hash = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class AppendOnlyError(RuntimeError):
    pass


class ActivityLog(TenantModel):
    """One change in an organisation. Rows are only ever inserted; each row's ``hash``
    covers its content and the previous row's hash, so altering any row breaks the chain
    from that row on (see :mod:`zgovern.tenancy.activity`)."""

    url_param = "activity_id"

    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_kind = models.CharField(max_length=16)
    actor_label = models.CharField(max_length=300)
    ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "seq"], name="activity_seq_per_org")
        ]
        indexes = [models.Index(fields=["organization", "-at"], name="activity_org_at")]
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("activity log rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("activity log rows are never deleted")
