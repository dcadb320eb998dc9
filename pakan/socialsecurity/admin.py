from django.contrib import admin

from pakan.socialsecurity.models import (
    ContributionRecord,
    Dependant,
    Employer,
    EmployerStatusChange,
    EmployerUser,
    EmploymentSpell,
    InsuredMember,
    MembershipSpell,
)


class StatusChangeInline(admin.TabularInline):
    """Read-only: statuses change through the services, which also write the audit trail."""

    model = EmployerStatusChange
    fields = ("status", "effective_on", "reason", "recorded_by", "recorded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("nssf_registration_number", "enterprise_number", "name_en", "name_lo",
                    "sector", "size_class", "status", "registered_on")
    list_filter = ("status", "sector", "size_class")
    search_fields = ("nssf_registration_number", "enterprise_number", "name_en", "name_lo")
    raw_id_fields = ("village",)
    inlines = [StatusChangeInline]


@admin.register(EmployerUser)
class EmployerUserAdmin(admin.ModelAdmin):
    list_display = ("user", "employer", "created_at")
    raw_id_fields = ("user", "employer")


class MembershipInline(admin.TabularInline):
    model = MembershipSpell
    extra = 0


@admin.register(InsuredMember)
class InsuredMemberAdmin(admin.ModelAdmin):
    list_display = ("social_security_number", "person", "created_at")
    search_fields = ("social_security_number", "person__national_id")
    raw_id_fields = ("person",)
    inlines = [MembershipInline]


@admin.register(EmploymentSpell)
class EmploymentSpellAdmin(admin.ModelAdmin):
    list_display = ("member", "employer", "start_on", "end_on", "monthly_wage")
    raw_id_fields = ("member", "employer")
    date_hierarchy = "start_on"


@admin.register(Dependant)
class DependantAdmin(admin.ModelAdmin):
    list_display = ("member", "person", "relationship", "start_on", "end_on")
    list_filter = ("relationship",)
    raw_id_fields = ("member", "person")


@admin.register(ContributionRecord)
class ContributionRecordAdmin(admin.ModelAdmin):
    list_display = ("member", "month", "employer", "insurable_wage", "insured_amount",
                    "employer_amount", "source", "paid", "paid_on")
    list_filter = ("source", "paid")
    raw_id_fields = ("member", "employer")
    date_hierarchy = "month"
