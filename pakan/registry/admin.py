from django.contrib import admin

from pakan.registry.models import AdminUnit, DuplicateCandidate, Household, LifeEvent, Person


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_lo", "level", "iso_code", "path")
    list_filter = ("level",)
    search_fields = ("code", "name_en", "name_lo")
    raw_id_fields = ("parent",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Read-only for support staff: changes go through the services so they are audited."""

    list_display = ("id", "national_id", "given_name_latin", "family_name_latin", "sex",
                    "date_of_birth", "village", "status")
    search_fields = ("national_id", "family_book_number", "given_key_latin", "family_key_latin")
    list_filter = ("sex", "status")
    raw_id_fields = ("village", "household", "merged_into")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Household)
class HouseholdAdmin(PersonAdmin):
    list_display = ("id", "family_book_number", "village", "head")
    search_fields = ("family_book_number",)
    list_filter = ()
    raw_id_fields = ("village", "head")


@admin.register(LifeEvent)
class LifeEventAdmin(PersonAdmin):
    list_display = ("id", "person", "kind", "occurred_on", "recorded_by", "recorded_at")
    list_filter = ("kind",)
    search_fields = ()
    raw_id_fields = ("person",)


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(PersonAdmin):
    list_display = ("id", "person", "existing", "reason", "score", "status", "decided_by")
    list_filter = ("status", "reason")
    search_fields = ()
    raw_id_fields = ("person", "existing")
