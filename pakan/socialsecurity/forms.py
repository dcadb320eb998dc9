"""Forms of the fund's pages.

As in the registry, the services are the one place where input is checked, and they answer in
Lao and English at once; these forms carry what was typed, draw the inputs, and show the
services' errors beside the fields they concern (pakan.registry.forms.ServiceForm).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pakan.registry.forms import DATE_INPUT, ServiceForm, village_field
from pakan.socialsecurity.models import (
    Declaration,
    Employer,
    Inspection,
    InspectionFinding,
    Invoice,
    Payment,
    Sector,
)

MONTH_INPUT = forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
AMOUNT_INPUT = forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*"})
UPLOAD_INPUT = forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"})

FIELD_LABELS = {
    "enterprise_number": _("Enterprise number (industry and commerce register)"),
    "nssf_registration_number": _("NSSF registration number"),
    "name_lo": _("Name in Lao"),
    "name_en": _("Name in English"),
    "sector": _("Sector"),
    "number_of_workers": _("Number of workers"),
    "village_code": _("Village"),
    "contact_person": _("Contact person"),
    "phone": _("Phone number"),
    "email": _("Email"),
    "registered_on": _("Registration date"),
    "effective_on": _("Date"),
    "reason": _("Reason"),
    "month": _("Month"),
    "file": _("File (CSV or XLSX)"),
    "payer": _("NSSF registration number or social security number of the payer"),
    "amount": _("Amount (kip)"),
    "received_on": _("Date received"),
    "method": _("Method"),
    "payer_reference": _("Reference written by the payer"),
    "bank": _("Bank"),
    "bank_reference": _("Bank reference"),
}


def _blank_first(choices) -> list[tuple[str, str]]:
    return [("", _("All")), *choices]


class EmployerFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or name"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_blank_first(Employer.Status.choices))
    sector = forms.ChoiceField(label=_("Sector"), required=False,
                               choices=_blank_first(Sector.choices))

    def __init__(self, *args, provinces=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"] = forms.ChoiceField(
            label=_("Province"), required=False,
            choices=_blank_first([(unit.code, f"{unit.name_lo} · {unit.name_en}")
                                  for unit in provinces]))


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Social security number, ID or name"), required=False,
                        max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))


class DeclarationFilterForm(forms.Form):
    month = forms.CharField(label=_("Month"), required=False, widget=MONTH_INPUT)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_blank_first(Declaration.Status.choices))


class InvoiceFilterForm(forms.Form):
    month = forms.CharField(label=_("Month"), required=False, widget=MONTH_INPUT)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=_blank_first(Invoice.Kind.choices))
    open = forms.BooleanField(label=_("Open invoices only"), required=False)


class PaymentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_blank_first(Payment.Status.choices))


class EmployerRegistrationForm(ServiceForm):
    required_fields = ("enterprise_number", "nssf_registration_number", "name_lo", "name_en",
                       "sector", "number_of_workers", "village_code")
    enterprise_number = forms.CharField(label=FIELD_LABELS["enterprise_number"], required=False)
    nssf_registration_number = forms.CharField(label=FIELD_LABELS["nssf_registration_number"],
                                               required=False)
    name_lo = forms.CharField(label=FIELD_LABELS["name_lo"], required=False,
                              widget=forms.TextInput(attrs={"lang": "lo"}))
    name_en = forms.CharField(label=FIELD_LABELS["name_en"], required=False)
    sector = forms.CharField(label=FIELD_LABELS["sector"], required=False,
                             widget=forms.Select(choices=[("", "—"), *Sector.choices]))
    number_of_workers = forms.CharField(label=FIELD_LABELS["number_of_workers"], required=False,
                                        widget=AMOUNT_INPUT)
    contact_person = forms.CharField(label=FIELD_LABELS["contact_person"], required=False)
    phone = forms.CharField(label=FIELD_LABELS["phone"], required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    email = forms.CharField(label=FIELD_LABELS["email"], required=False,
                            widget=forms.EmailInput())
    registered_on = forms.CharField(label=FIELD_LABELS["registered_on"], required=False,
                                    widget=DATE_INPUT)

    def __init__(self, *args, villages=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village_code"] = village_field(villages)
        self.fields["village_code"].widget.attrs["aria-required"] = "true"
        self.error_aliases = {"village": "village_code"}


class StatusChangeForm(ServiceForm):
    required_fields = ("effective_on", "reason")
    effective_on = forms.CharField(label=FIELD_LABELS["effective_on"], required=False,
                                   widget=DATE_INPUT)
    reason = forms.CharField(label=FIELD_LABELS["reason"], required=False, max_length=500)


class DeclarationUploadForm(ServiceForm):
    required_fields = ("month", "file")
    month = forms.CharField(label=FIELD_LABELS["month"], required=False, widget=MONTH_INPUT)
    file = forms.FileField(label=FIELD_LABELS["file"], required=False, widget=UPLOAD_INPUT)


class PaymentForm(ServiceForm):
    required_fields = ("payer", "amount", "received_on", "method")
    error_aliases = {"employer": "payer", "member": "payer"}
    payer = forms.CharField(label=FIELD_LABELS["payer"], required=False)
    amount = forms.CharField(label=FIELD_LABELS["amount"], required=False, widget=AMOUNT_INPUT)
    received_on = forms.CharField(label=FIELD_LABELS["received_on"], required=False,
                                  widget=DATE_INPUT)
    method = forms.CharField(label=FIELD_LABELS["method"], required=False,
                             initial=Payment.Method.BANK_TRANSFER,
                             widget=forms.Select(choices=Payment.Method.choices))
    payer_reference = forms.CharField(label=FIELD_LABELS["payer_reference"], required=False)
    bank = forms.CharField(label=FIELD_LABELS["bank"], required=False)
    bank_reference = forms.CharField(label=FIELD_LABELS["bank_reference"], required=False)


class MemberPaymentForm(ServiceForm):
    required_fields = ("amount", "method")
    amount = forms.CharField(label=FIELD_LABELS["amount"], required=False, widget=AMOUNT_INPUT)
    method = forms.CharField(label=FIELD_LABELS["method"], required=False,
                             initial=Payment.Method.MOBILE_MONEY,
                             widget=forms.Select(choices=Payment.Method.choices))
    payer_reference = forms.CharField(label=_("Reference of your transfer"), required=False)


class BankStatementForm(ServiceForm):
    required_fields = ("bank", "file")
    bank = forms.CharField(label=FIELD_LABELS["bank"], required=False)
    file = forms.FileField(label=FIELD_LABELS["file"], required=False, widget=UPLOAD_INPUT)


class AssignPaymentForm(ServiceForm):
    required_fields = ("payer",)
    payer = forms.CharField(label=FIELD_LABELS["payer"], required=False)


class BillingRunForm(ServiceForm):
    required_fields = ("month",)
    month = forms.CharField(label=_("Month to bill"), required=False, widget=MONTH_INPUT)


class VisitForm(ServiceForm):
    required_fields = ("visited_on",)
    visited_on = forms.CharField(label=_("Date of the visit"), required=False, widget=DATE_INPUT)
    visit_notes = forms.CharField(label=_("Notes of the visit"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class FindingForm(ServiceForm):
    required_fields = ("kind", "social_security_number", "first_month", "last_month",
                       "actual_wage")
    kind = forms.CharField(label=_("Finding"), required=False,
                           widget=forms.Select(choices=InspectionFinding.Kind.choices))
    social_security_number = forms.CharField(label=_("Social security number of the worker"),
                                             required=False)
    first_month = forms.CharField(label=_("First month"), required=False, widget=MONTH_INPUT)
    last_month = forms.CharField(label=_("Last month"), required=False, widget=MONTH_INPUT)
    declared_wage = forms.CharField(label=_("Declared monthly wage (kip)"), required=False,
                                    widget=AMOUNT_INPUT)
    actual_wage = forms.CharField(label=_("Actual monthly wage (kip)"), required=False,
                                  widget=AMOUNT_INPUT)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class CloseInspectionForm(ServiceForm):
    required_fields = ("outcome",)
    closed_on = forms.CharField(label=_("Date closed"), required=False, widget=DATE_INPUT)
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=500)


INSPECTION_STATUS_CHOICES = _blank_first(Inspection.Status.choices)
