from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .iin import validate_iin
from .roles import Role, ScopeType


class User(AbstractUser):
    middle_name = models.CharField(_("patronymic"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    iin = models.CharField(
        _("IIN"),
        max_length=12,
        blank=True,
        validators=[validate_iin],
        help_text=_("12-digit individual identification number; required for students."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=settings.LANGUAGES, default="kk"
    )
    photo = models.ImageField(
        _("profile photo"),
        upload_to="profile-photos/%Y/",
        blank=True,
        help_text=_(
            "A clear photo of the face; the proctoring identity check compares against it."
        ),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_demo = models.BooleanField(
        _("demo user"), default=False, help_text=_("Created by seed_demo; refused in production.")
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["iin"], condition=~Q(iin=""), name="accounts_user_unique_iin"
            ),
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="accounts_user_unique_email"
            ),
            # Logins are case-insensitive, so "Aigerim" and "aigerim" must be one account.
            models.UniqueConstraint(Lower("username"), name="accounts_user_unique_username_ci"),
        ]

    @property
    def full_name(self) -> str:
        parts = [self.last_name, self.first_name, self.middle_name]
        return " ".join(p for p in parts if p) or self.username

    def __str__(self) -> str:
        return self.full_name


class RoleAssignment(models.Model):
    """A role held by a user within a context: the whole site, a faculty, program, course or group.

    The scope is stored as (type, id) so that accounts does not depend on the academic apps.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope_type = models.CharField(
        _("scope"), max_length=16, choices=ScopeType.choices, default=ScopeType.SITE
    )
    scope_id = models.BigIntegerField(_("scope id"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "scope_type", "scope_id"],
                name="accounts_role_unique_scoped",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "scope_type"],
                condition=Q(scope_id__isnull=True),
                name="accounts_role_unique_site",
            ),
            models.CheckConstraint(
                condition=(Q(scope_type="site") & Q(scope_id__isnull=True))
                | (~Q(scope_type="site") & Q(scope_id__isnull=False)),
                name="accounts_role_scope_consistent",
            ),
        ]
        indexes = [models.Index(fields=["role", "scope_type", "scope_id"], name="role_scope_idx")]

    def __str__(self) -> str:
        scope = self.get_scope_type_display()
        if self.scope_id is not None:
            scope = f"{scope} #{self.scope_id}"
        return f"{self.user.username}: {self.get_role_display()} ({scope})"


class ParentLink(models.Model):
    """A parent or legal representative who may read one student's records."""

    parent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="children_links")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="parent_links")
    relation = models.CharField(_("relation"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("parent link")
        verbose_name_plural = _("parent links")
        constraints = [
            models.UniqueConstraint(fields=["parent", "student"], name="accounts_parent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.parent} → {self.student}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
