from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from pakan.accounts.models import User


@admin.register(User)
class PakanUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "scope_unit", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("scope_unit",)
    fieldsets = (*UserAdmin.fieldsets, ("Pakan", {"fields": ("role", "scope_unit",
                                                             "preferred_language")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Pakan", {"fields": ("role", "scope_unit")}))
