"""Forms of the actuarial pages. As elsewhere in Pakan they do not validate: they carry what was
typed to the services, which check it (with the actuarial packages' own checks) and answer in
Lao and English; the forms show each answer beside its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pakan.registry.forms import ServiceForm
from pakan.valuation.models import Scenario, ValuationRun
from pakan.valuation.services import catalogue, computation
from pakan.valuation.services.overrides import show_value

OVERRIDE_PREFIX = "override:"
TEXT_INPUT = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})


def override_field(name: str) -> str:
    return f"{OVERRIDE_PREFIX}{name}"


class ScenarioForm(ServiceForm):
    """Name, description, and one input per assumption of the scenario's kind (blank = the
    base value), plus a text box for overrides written as `name = value` lines."""

    required_fields = ("name",)
    typing_help = _("Leave a value blank to keep the base value. Type a number (0.2 or 20%), "
                    "true or false, or a list or mapping such as [60, 58] or "
                    "{2030: 60, 2040: 62}. Rates are fractions: 0.2 is 20%.")
    name = forms.CharField(label=_("Name"), required=False, widget=TEXT_INPUT)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    overrides_text = forms.CharField(
        label=_("Overrides as text (one per line: name = value)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false",
                                     "placeholder": "contribution_rate.enterprise_employee = 14%"}))

    def __init__(self, *args, kind: str, scenario: Scenario | None = None, **kwargs) -> None:
        initial = kwargs.pop("initial", {}) or {}
        if scenario is not None:
            initial = {"name": scenario.name, "description": scenario.description,
                       **{override_field(name): show_value(value)
                          for name, value in scenario.overrides.items()
                          if name in catalogue.names(kind)},
                       "overrides_text": "\n".join(
                           f"{name} = {show_value(value)}"
                           for name, value in scenario.overrides.items()
                           if name not in catalogue.names(kind)),
                       **initial}
        super().__init__(*args, initial=initial, **kwargs)
        self.kind = kind
        self.assumption_rows = catalogue.rows(kind)
        for row in self.assumption_rows:
            self.fields[override_field(row.name)] = forms.CharField(
                label=row.name, required=False, widget=TEXT_INPUT)

    def typed_overrides(self) -> dict[str, str]:
        return {row.name: self.value(override_field(row.name)) for row in self.assumption_rows}

    def show_errors(self, errors) -> None:
        names = {row.name for row in self.assumption_rows}
        for problem in errors:
            target = override_field(problem.field) if problem.field in names else problem.field
            if target in self.fields:
                self.field_errors.setdefault(target, []).append(problem)
            else:
                self.other_errors.append((problem.field, problem))

    def assumption_inputs(self) -> list[tuple]:
        """(row, bound input, its errors) for the assumptions table."""
        return [(row, self[override_field(row.name)],
                 self.field_errors.get(override_field(row.name), []))
                for row in self.assumption_rows]


def _kind_choices(scenario: Scenario) -> list[tuple[str, str]]:
    if scenario.kind == Scenario.Kind.COSTING:
        return [(ValuationRun.Kind.COSTING, ValuationRun.Kind.COSTING.label)]
    return [(ValuationRun.Kind.DETERMINISTIC, ValuationRun.Kind.DETERMINISTIC.label),
            (ValuationRun.Kind.STOCHASTIC, ValuationRun.Kind.STOCHASTIC.label)]


class RunForm(ServiceForm):
    """What a run of a scenario needs: its kind and, for stochastic runs and costings, their
    settings; a fund valuation may start from a data extract."""

    SETTINGS = ("runs", "seed", "investment_return_volatility", "wage_growth_volatility",
                "wage_growth_persistence", "mortality_volatility", "final_year")

    kind = forms.ChoiceField(label=_("Kind of run"), required=False)
    runs = forms.CharField(label=_("Number of runs"), required=False, widget=TEXT_INPUT)
    seed = forms.CharField(label=_("Seed"), required=False, widget=TEXT_INPUT)
    investment_return_volatility = forms.CharField(
        label=_("Volatility of investment returns"), required=False, widget=TEXT_INPUT)
    wage_growth_volatility = forms.CharField(
        label=_("Volatility of wage growth"), required=False, widget=TEXT_INPUT)
    wage_growth_persistence = forms.CharField(
        label=_("Persistence of wage growth deviations"), required=False, widget=TEXT_INPUT)
    mortality_volatility = forms.CharField(
        label=_("Volatility of mortality"), required=False, widget=TEXT_INPUT)
    final_year = forms.CharField(label=_("Last year costed"), required=False, widget=TEXT_INPUT)
    extract = forms.ChoiceField(label=_("Data extract"), required=False)

    def __init__(self, *args, scenario: Scenario, extracts=(), **kwargs) -> None:
        defaults = {name: str(value) for name, value in computation.STOCHASTIC_DEFAULTS.items()
                    if name != "chunk_size"}
        kwargs.setdefault("initial", {**defaults, "final_year": "2040"})
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices(scenario)
        self.fields["extract"].choices = [("", _("None: the base assumptions"))] + [
            (str(extract.pk), f"{extract.valuation_date} · {extract.insured:,} / "
                              f"{extract.pensioners:,}") for extract in extracts]
        if scenario.kind == Scenario.Kind.COSTING:
            for name in (*self.SETTINGS[:-1], "extract"):
                del self.fields[name]
        else:
            del self.fields["final_year"]

    def settings(self) -> dict[str, str]:
        return {name: self.value(name) for name in self.SETTINGS if name in self.fields}
