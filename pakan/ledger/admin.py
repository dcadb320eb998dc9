from django.contrib import admin

from pakan.ledger.models import Account, Entry, Transaction


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_lo", "kind", "owner_type", "owner_id", "scope_path")
    list_filter = ("kind", "owner_type")
    search_fields = ("code", "name_en", "name_lo")


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ("account", "amount", "effective_date")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    """Postings are read-only here: money moves only through ledger services, and a wrong
    posting is corrected by a reversal, so the trail stays whole."""

    list_display = ("key", "kind", "effective_date", "created_at", "created_by", "reverses")
    list_filter = ("kind",)
    search_fields = ("key", "description")
    date_hierarchy = "effective_date"
    inlines = [EntryInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
