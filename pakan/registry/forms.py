"""Forms of the registry pages.

The registry services are the one place where a person's fields are checked, and they answer
in Lao and English at once (validation.FieldError). So these forms do not validate: they carry
what was typed, draw the inputs, and show the services' errors beside the fields they concern.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from pakan.registry.models import Relationship, Sex
from pakan.registry.validation import FieldError, error, parse_date

# Labels of the fields of a person, shared by forms, the history table and exports' readers.
FIELD_LABELS = {
    "national_id": _("National ID card number"),
    "family_book_number": _("Family-book number"),
    "given_name_lo": _("Given name (Lao script)"),
    "family_name_lo": _("Surname (Lao script)"),
    "given_name_latin": _("Given name (Latin letters)"),
    "family_name_latin": _("Surname (Latin letters)"),
    "sex": _("Sex"),
    "date_of_birth": _("Date of birth"),
    "date_of_death": _("Date of death"),
    "village_id": _("Village"),
    "village_code": _("Village code"),
    "household_id": _("Household"),
    "relationship_to_head": _("Relationship to the head of household"),
    "uxo_survivor": _("UXO survivor"),
    "phone": _("Phone number"),
    "status": _("Status"),
    "merged_into_id": _("Merged into"),
    "head_id": _("Head of household"),
    # Washington Group short set: the questions ask about difficulty in these activities.
    "difficulty_seeing": _("Seeing, even if wearing glasses"),
    "difficulty_hearing": _("Hearing, even if using a hearing aid"),
    "difficulty_walking": _("Walking or climbing steps"),
    "difficulty_remembering": _("Remembering or concentrating"),
    "difficulty_self_care": _("Self-care, such as washing all over or dressing"),
    "difficulty_communicating": _("Communicating, for example understanding or being "
                                  "understood"),
}

# Beyond this many villages in scope, a village is typed by code instead of picked from a list.
VILLAGE_LIST_LIMIT = 400

DIFFICULTY_CHOICES = [("", _("Not asked")), ("1", _("No difficulty")),
                      ("2", _("Some difficulty")), ("3", _("A lot of difficulty")),
                      ("4", _("Cannot do at all"))]
SEX_CHOICES = [("", "—"), *Sex.choices]
RELATIONSHIP_CHOICES = [("", "—"), *Relationship.choices]
JOINING_RELATIONSHIP_CHOICES = [choice for choice in Relationship.choices
                                if choice[0] != Relationship.HEAD]
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class ServiceForm(forms.Form):
    """Carries typed values to a service and shows its bilingual errors per field.

    `error_aliases` maps a field named by a service error to the input that holds it (a death
    date is `occurred_on` in the death form but `date_of_death` in the service)."""

    error_aliases: dict[str, str] = {}
    required_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.field_errors: dict[str, list[FieldError]] = {}
        self.other_errors: list[tuple[str, FieldError]] = []
        for name in self.required_fields:
            if name in self.fields:  # fields added by a subclass mark themselves
                self.fields[name].widget.attrs["aria-required"] = "true"

    def value(self, name: str) -> str:
        field = self.fields[name]
        raw = self[name].value() if self.is_bound else self.initial.get(name, field.initial)
        if isinstance(field, forms.BooleanField):
            return "on" if raw else ""
        return str(raw or "").strip()

    def values(self) -> dict[str, str]:
        return {name: self.value(name) for name in self.fields}

    def show_errors(self, errors: list[FieldError]) -> None:
        for problem in errors:
            name = self.error_aliases.get(problem.field, problem.field)
            if name in self.fields:
                self.field_errors.setdefault(name, []).append(problem)
            else:
                label = FIELD_LABELS.get(problem.field, problem.field)
                self.other_errors.append((str(label), problem))

    @property
    def has_errors(self) -> bool:
        return bool(self.field_errors or self.other_errors)

    def rows(self) -> list[tuple[forms.BoundField, list[FieldError], bool]]:
        return [(self[name], self.field_errors.get(name, []), name in self.required_fields)
                for name in self.fields]

    def date(self, name: str, problems: list[FieldError]) -> datetime.date | None:
        """The date typed in `name`; a missing or malformed one adds the services' error to
        `problems`, so that one answer lists every mistake of the form."""
        value, errors = parse_date(name, self.value(name))
        if value is None and not errors:
            errors = [error(name, "required")]
        problems.extend(errors)
        return value

    def required(self, name: str, problems: list[FieldError]) -> str:
        value = self.value(name)
        if not value:
            problems.append(error(name, "required"))
        return value


VILLAGE_LABEL = _("Village")


def village_field(villages, label=VILLAGE_LABEL, blank_label: str = "—") -> forms.Field:
    """A list of the villages in scope when it is short, a code box when it is long."""
    villages = list(villages[:VILLAGE_LIST_LIMIT + 1])
    if len(villages) <= VILLAGE_LIST_LIMIT:
        choices = [("", blank_label)] + [(village.code, f"{village.code} {village.name_lo} · "
                                  f"{village.name_en}") for village in villages]
        return forms.CharField(label=label, required=False, widget=forms.Select(choices=choices))
    return forms.CharField(label=label, required=False, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "placeholder": "0101001", "pattern": "[0-9]{7}"}))



def difficulty_field(domain: str) -> forms.CharField:
    """One Washington Group question: its label and the four answers (or not asked)."""
    return forms.CharField(label=FIELD_LABELS[domain], required=False,
                           widget=forms.Select(choices=DIFFICULTY_CHOICES))

class PersonFieldsForm(ServiceForm):
    """The fields of one person, as the services take them."""

    required_fields = ("given_name_lo", "family_name_lo", "given_name_latin",
                       "family_name_latin", "sex", "date_of_birth")

    given_name_lo = forms.CharField(label=FIELD_LABELS["given_name_lo"], required=False,
                                    widget=forms.TextInput(attrs={"lang": "lo"}))
    family_name_lo = forms.CharField(label=FIELD_LABELS["family_name_lo"], required=False,
                                     widget=forms.TextInput(attrs={"lang": "lo"}))
    given_name_latin = forms.CharField(label=FIELD_LABELS["given_name_latin"], required=False)
    family_name_latin = forms.CharField(label=FIELD_LABELS["family_name_latin"], required=False)
    sex = forms.CharField(label=FIELD_LABELS["sex"], required=False,
                          widget=forms.Select(choices=SEX_CHOICES))
    date_of_birth = forms.CharField(label=FIELD_LABELS["date_of_birth"], required=False,
                                    widget=DATE_INPUT)
    national_id = forms.CharField(label=FIELD_LABELS["national_id"], required=False)
    relationship_to_head = forms.CharField(label=FIELD_LABELS["relationship_to_head"],
                                           required=False,
                                           widget=forms.Select(choices=RELATIONSHIP_CHOICES))
    difficulty_seeing = difficulty_field("difficulty_seeing")
    difficulty_hearing = difficulty_field("difficulty_hearing")
    difficulty_walking = difficulty_field("difficulty_walking")
    difficulty_remembering = difficulty_field("difficulty_remembering")
    difficulty_self_care = difficulty_field("difficulty_self_care")
    difficulty_communicating = difficulty_field("difficulty_communicating")
    uxo_survivor = forms.BooleanField(label=FIELD_LABELS["uxo_survivor"], required=False)
    phone = forms.CharField(label=FIELD_LABELS["phone"], required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))


class PersonRegistrationForm(PersonFieldsForm):
    """A new person: in a village, and in an existing household when its book is given."""

    required_fields = (*PersonFieldsForm.required_fields, "village_code")
    error_aliases = {"household": "family_book_number"}
    family_book_number = forms.CharField(label=FIELD_LABELS["family_book_number"],
                                         required=False)

    def __init__(self, *args, villages=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village_code"] = village_field(villages)
        self.fields["village_code"].widget.attrs["aria-required"] = "true"
        self.order_fields(["village_code", "family_book_number"])


class MemberForm(PersonFieldsForm):
    """A new member of a known household (village and book come from the household)."""


class BirthForm(PersonFieldsForm):
    """A child born into a household; the birth date is the life event's date."""

    error_aliases = {"occurred_on": "date_of_birth"}

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"relationship_to_head": Relationship.CHILD})
        super().__init__(*args, **kwargs)
        del self.fields["national_id"]


class CorrectionForm(PersonFieldsForm):
    """Correcting recorded details; life events have their own forms."""

    @classmethod
    def for_person(cls, person, data=None, prefix=None) -> CorrectionForm:
        initial = {name: getattr(person, name) for name in cls.base_fields}
        initial = {name: ("" if value is None else value) for name, value in initial.items()}
        if initial["date_of_birth"]:
            initial["date_of_birth"] = person.date_of_birth.isoformat()
        return cls(data, initial=initial, prefix=prefix)


class DeathForm(ServiceForm):
    required_fields = ("occurred_on",)
    error_aliases = {"date_of_death": "occurred_on"}
    occurred_on = forms.CharField(label=FIELD_LABELS["date_of_death"], required=False,
                                  widget=DATE_INPUT)


class MoveForm(ServiceForm):
    required_fields = ("village_code", "occurred_on")
    occurred_on = forms.CharField(label=_("Date of the move"), required=False, widget=DATE_INPUT)
    with_household = forms.BooleanField(label=_("The whole household moves along"),
                                        required=False)

    def __init__(self, *args, villages=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village_code"] = village_field(villages, label=_("New village"))
        self.fields["village_code"].widget.attrs["aria-required"] = "true"
        self.order_fields(["village_code", "occurred_on", "with_household"])


class MarriageForm(ServiceForm):
    required_fields = ("family_book_number", "occurred_on")
    error_aliases = {"household": "family_book_number", "relationship_to_head": "relationship"}
    family_book_number = forms.CharField(
        label=_("Family-book number of the household joined"), required=False)
    relationship = forms.CharField(label=FIELD_LABELS["relationship_to_head"], required=False,
                                   initial=Relationship.SPOUSE,
                                   widget=forms.Select(choices=JOINING_RELATIONSHIP_CHOICES))
    occurred_on = forms.CharField(label=_("Date of the marriage"), required=False,
                                  widget=DATE_INPUT)


class HouseholdRegistrationForm(ServiceForm):
    required_fields = ("family_book_number", "village_code")
    family_book_number = forms.CharField(label=FIELD_LABELS["family_book_number"],
                                         required=False)

    def __init__(self, *args, villages=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village_code"] = village_field(villages)
        self.fields["village_code"].widget.attrs["aria-required"] = "true"


class SearchForm(forms.Form):
    q = forms.CharField(label=_("ID or name"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={
                            "type": "search", "autocomplete": "off", "autofocus": True,
                            "placeholder": _("National ID, family book, registry number or "
                                             "name in Lao or Latin letters")}))

    def __init__(self, *args, villages=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"] = village_field(villages, label=_("Village"),
                                               blank_label=_("All villages"))


class ImportForm(forms.Form):
    KIND_CHOICES = [("people", _("People")), ("households", _("Households"))]
    kind = forms.ChoiceField(label=_("The file lists"), choices=KIND_CHOICES, initial="people",
                             widget=forms.RadioSelect)
    file = forms.FileField(label=_("File (CSV or XLSX)"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))
