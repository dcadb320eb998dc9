"""Users, their role, and the admin unit whose contents they may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    CENTRAL_OFFICER = "central_officer", _("Central officer")
    PROVINCIAL_OFFICER = "provincial_officer", _("Provincial officer")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    EMPLOYER_USER = "employer_user", _("Employer")
    INSURED_MEMBER = "insured_member", _("Insured person")
    HEALTH_FACILITY_USER = "health_facility_user", _("Health facility")
    AUDITOR = "auditor", _("Auditor (read-only)")
    ACTUARY = "actuary", _("Actuary / policy analyst")
    PUBLIC = "public", _("Public")


STAFF_ROLES = frozenset(
    {
        Role.SYSTEM_ADMIN,
        Role.CENTRAL_OFFICER,
        Role.PROVINCIAL_OFFICER,
        Role.DISTRICT_OFFICER,
        Role.AUDITOR,
    }
)
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


class User(AbstractUser):
    role = models.CharField(max_length=24, choices=Role.choices, default=Role.PUBLIC)
    scope_unit = models.ForeignKey(
        "registry.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("The province or district this account works in."),
    )
    preferred_language = models.CharField(max_length=5, default="lo")

    @property
    def is_registry_staff(self) -> bool:
        return self.role in STAFF_ROLES and self.scope_unit_id is not None

    @property
    def can_change_registry(self) -> bool:
        return self.is_registry_staff and self.role not in READ_ONLY_ROLES
