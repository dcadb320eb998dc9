"""Admin for the NSPS framework: where editors correct titles and add the Lao text.

English and Lao sit side by side on each line so a translator sees what they translate; the
"Lao text" filter finds what still needs translating.
"""

from django.contrib import admin
from django.db.models import Q

from pakan.monitoring.models import (
    Activity,
    Challenge,
    Goal,
    GoalResponsibility,
    Institution,
    Principle,
    Strategy,
)


def lao_fields(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if field.name.endswith("_lo")]


def missing_lao_condition(model) -> Q:
    condition = Q()
    for name in lao_fields(model):
        condition |= Q(**{name: ""})
    return condition


class LaoTextFilter(admin.SimpleListFilter):
    """Rows whose Lao text is still blank in at least one field, or complete."""

    title = "Lao text"
    parameter_name = "lao"

    def lookups(self, request, model_admin):
        return [("missing", "missing"), ("complete", "complete")]

    def queryset(self, request, queryset):
        condition = missing_lao_condition(queryset.model)
        if self.value() == "missing":
            return queryset.filter(condition)
        if self.value() == "complete":
            return queryset.exclude(condition)
        return queryset


@admin.display(boolean=True, description="Lao complete")
def lao_complete(obj) -> bool:
    return all(getattr(obj, name).strip() for name in lao_fields(type(obj)))


class StableCodeMixin:
    """Codes are how indicators and reports name a goal or activity: fixed once saved."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "code"] if obj is not None else readonly


class ActivityInline(admin.TabularInline):
    model = Activity
    fields = ["code", "position", "title_en", "title_lo"]
    extra = 0
    show_change_link = True


class GoalResponsibilityInline(admin.TabularInline):
    model = GoalResponsibility
    fields = ["position", "institution"]
    autocomplete_fields = ["institution"]
    extra = 0


class PrincipleInline(admin.TabularInline):
    model = Principle
    fields = ["code", "position", "name_en", "name_lo"]
    extra = 0


class ChallengeInline(admin.TabularInline):
    model = Challenge
    fields = ["code", "position", "title_en", "title_lo"]
    extra = 0


@admin.register(Strategy)
class StrategyAdmin(StableCodeMixin, admin.ModelAdmin):
    list_display = ["code", "title_en", "period_start", "period_end", lao_complete]
    list_filter = [LaoTextFilter]
    search_fields = ["code", "title_en", "title_lo", "vision_en", "vision_lo"]
    inlines = [PrincipleInline, ChallengeInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    ("period_start", "period_end"),
                    ("next_period_start", "next_period_end"),
                ]
            },
        ),
        ("Title", {"fields": ["title_en", "title_lo"]}),
        ("Vision", {"fields": ["vision_en", "vision_lo"]}),
        (
            "Coordination",
            {
                "fields": [
                    "coordinator_en",
                    "coordinator_lo",
                    "local_committees_en",
                    "local_committees_lo",
                ]
            },
        ),
    ]


@admin.register(Goal)
class GoalAdmin(StableCodeMixin, admin.ModelAdmin):
    list_display = ["code", "title_en", "title_lo", "pillar", "strategy", lao_complete]
    list_display_links = ["code", "title_en"]
    list_filter = ["pillar", "strategy", LaoTextFilter]
    search_fields = ["code", "title_en", "title_lo", "aim_en", "aim_lo", "outcome_en", "outcome_lo"]
    inlines = [ActivityInline, GoalResponsibilityInline]
    fieldsets = [
        (None, {"fields": ["strategy", "code", "position", "pillar"]}),
        ("Title", {"fields": ["title_en", "title_lo"]}),
        ("Aim", {"fields": ["aim_en", "aim_lo"]}),
        ("Outcome", {"fields": ["outcome_en", "outcome_lo"]}),
    ]


@admin.register(Activity)
class ActivityAdmin(StableCodeMixin, admin.ModelAdmin):
    list_display = ["code", "title_en", "title_lo", "goal", lao_complete]
    list_display_links = ["code", "title_en"]
    list_filter = ["goal__pillar", "goal", LaoTextFilter]
    search_fields = ["code", "title_en", "title_lo"]
    list_select_related = ["goal"]


@admin.register(Institution)
class InstitutionAdmin(StableCodeMixin, admin.ModelAdmin):
    list_display = ["name_en", "name_lo", "code", lao_complete]
    list_filter = ["goals", LaoTextFilter]
    search_fields = ["code", "name_en", "name_lo"]


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["code", "title_en", "title_lo", "strategy", lao_complete]
    list_display_links = ["code", "title_en"]
    list_filter = ["strategy", LaoTextFilter]
    search_fields = ["code", "title_en", "title_lo"]


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_lo", "strategy", lao_complete]
    list_display_links = ["code", "name_en"]
    list_filter = ["strategy", LaoTextFilter]
    search_fields = ["code", "name_en", "name_lo"]
