"""Forms of the claims and awards pages.

As in the registry and the fund, the services check everything and answer in Lao and English;
these forms carry what was typed, draw the inputs and show the services' errors beside the
fields they concern (pakan.registry.forms.ServiceForm).
"""

from __future__ import annotations

import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from pakan.benefits.models import Bank, Branch, Claim, ClaimDocument, RejectionReason
from pakan.benefits.services.claim_checks import DEATH_BRANCHES
from pakan.registry.forms import DATE_INPUT, ServiceForm
from pakan.socialsecurity.forms import MONTH_INPUT

NUMBER_INPUT = forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*"})
UPLOAD_INPUT = forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})
YES_NO = [("", "—"), ("true", _("Yes")), ("false", _("No"))]


ALL = _("All")


def _blank_first(choices) -> list[tuple[str, str]]:
    return [("", ALL), *choices]


def _yes_no(label) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Select(choices=YES_NO))


def _number(label) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=NUMBER_INPUT)


def _choice(label, choices) -> forms.CharField:
    return forms.CharField(label=label, required=False,
                           widget=forms.Select(choices=[("", "—"), *choices]))


# Each fact of the rules (pakan.rules.benefits), with the branches it belongs to, so the page
# can group them; the service takes only those of the claim's branch.
FACT_FIELDS = {
    "hazardous_work_years": (_number(_("Years of hazardous work")), ("old_age",)),
    "started_before_1975": (_yes_no(_("Service began before 1975")), ("old_age",)),
    "service_years_before_1975": (_number(_("Years of service before 1975")), ("old_age",)),
    "disability_category": (_number(_("Disability category (0 = none)")), ("old_age",)),
    "incapacity_category": (_number(_("Incapacity category (1 to 6)")),
                            ("invalidity", "employment_injury")),
    "relationship": (_choice(_("Relationship to the deceased"), [
        ("spouse", _("Spouse")), ("child", _("Child")), ("parent", _("Parent"))]),
        ("survivors",)),
    "beneficiary_has_income": (_yes_no(_("The survivor has an income")), ("survivors",)),
    "beneficiary_remarried": (_yes_no(_("The survivor has remarried")), ("survivors",)),
    "beneficiary_disabled": (_yes_no(_("The survivor is disabled")), ("survivors",)),
    "parents_supported": (_number(_("Parents the deceased supported (1 or 2)")),
                          ("survivors",)),
    "work_related": (_yes_no(_("Caused by work (accident or occupational disease)")),
                     ("sickness",)),
    "days": (_number(_("Days of leave or incapacity")), ("sickness", "employment_injury")),
    "days_already_paid": (_number(_("Days already paid for this illness or injury")),
                          ("sickness", "employment_injury")),
    "children": (_number(_("Children born")), ("maternity",)),
    "pregnancy_months": (_number(_("Months of pregnancy")), ("maternity",)),
    "claimant_is_spouse": (_yes_no(_("The claimant is the wife of the insured man")),
                           ("maternity",)),
    "incapacity": (_choice(_("Incapacity"), [("temporary", _("Temporary")),
                                             ("permanent", _("Permanent"))]),
                   ("employment_injury",)),
    "cause": (_choice(_("Cause of the job loss"), [
        ("bankruptcy", _("Bankruptcy of the employer")), ("closure", _("Closure")),
        ("project_end", _("End of a development project")),
        ("disaster", _("Closure after a disaster")), ("downsizing", _("Downsizing or lay-off"))]),
        ("unemployment",)),
    "unemployed_days": (_number(_("Days unemployed")), ("unemployment",)),
    "last_benefit_month": (forms.CharField(label=_("Last month of an earlier unemployment "
                                                   "benefit"), required=False,
                                           widget=MONTH_INPUT), ("unemployment",)),
}


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_blank_first(Claim.Status.choices))
    branch = forms.ChoiceField(label=_("Benefit"), required=False,
                               choices=_blank_first(Branch.choices))

    def __init__(self, *args, districts=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        districts = list(districts)
        if len(districts) > 1:
            self.fields["district"] = forms.ChoiceField(
                label=_("District"), required=False, choices=_blank_first(
                    [(unit.code, f"{unit.name_lo} · {unit.name_en}") for unit in districts]))


class ClaimFilingForm(ServiceForm):
    """Filing: an officer names the insured person and the claimant; a member files for
    themself (`for_member`), without those two fields and the survivors' branches."""

    required_fields = ("member", "branch", "event_date")
    error_aliases = {"documents": "document"}
    member = forms.CharField(label=_("Social security number or registry number of the "
                                     "insured person"), required=False)
    claimant = forms.CharField(label=_("Registry number of the claimant (survivors, funeral, "
                                       "the wife for maternity)"), required=False,
                               widget=NUMBER_INPUT)
    branch = forms.CharField(label=_("Benefit"), required=False,
                             widget=forms.Select(choices=[("", "—"), *Branch.choices]))
    event_date = forms.CharField(label=_("Date of the event"), required=False,
                                 widget=DATE_INPUT)
    bank = forms.CharField(label=_("Paid through"), required=False, initial=Bank.CASH,
                           widget=forms.Select(choices=Bank.choices))
    bank_account = forms.CharField(label=_("Account number"), required=False, max_length=34)
    document_kind = forms.CharField(label=_("Kind of document"), required=False,
                                    widget=forms.Select(choices=ClaimDocument.Kind.choices))
    document = forms.FileField(label=_("Supporting document (PDF, JPEG or PNG)"),
                               required=False, widget=UPLOAD_INPUT)

    def __init__(self, *args, for_member: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, (field, _branches) in FACT_FIELDS.items():
            self.fields[name] = copy.deepcopy(field)
        if for_member:
            del self.fields["member"], self.fields["claimant"]
            self.fields["branch"].widget.choices = [
                ("", "—"), *[choice for choice in Branch.choices
                             if choice[0] not in DEATH_BRANCHES]]
            del self.fields["claimant_is_spouse"]  # a wife's claim is made at an office

    def facts(self) -> dict[str, str]:
        """The typed facts of the chosen branch (blanks left out)."""
        branch = self.value("branch")
        return {name: self.value(name) for name, (_field, branches) in FACT_FIELDS.items()
                if branch in branches and name in self.fields and self.value(name)}

    def fact_groups(self) -> list[tuple[str, list]]:
        """The fact inputs by branch, for the page to show under each heading."""
        rows = {bound.name: (bound, errors, required)
                for bound, errors, required in self.rows()}
        return [(label, [rows[name] for name, (_f, branches) in FACT_FIELDS.items()
                         if code in branches and name in rows])
                for code, label in Branch.choices]

    def main_rows(self) -> list:
        return [row for row in self.rows() if row[0].name not in FACT_FIELDS]


class DocumentForm(ServiceForm):
    required_fields = ("kind", "file")
    error_aliases = {"documents": "file"}
    kind = forms.CharField(label=_("Kind of document"), required=False,
                           widget=forms.Select(choices=ClaimDocument.Kind.choices))
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"), required=False,
                           widget=UPLOAD_INPUT)


class DecisionForm(ServiceForm):
    required_fields = ("outcome",)
    error_aliases = {"status": "outcome", "decided_by": "outcome", "branch": "outcome"}
    outcome = forms.CharField(label=_("Decision"), required=False, widget=forms.Select(
        choices=[("", "—"), ("approve", _("Approve")), ("reject", _("Reject"))]))
    rejection_reason = forms.CharField(label=_("Reason for rejecting"), required=False,
                                       widget=forms.Select(choices=[("", "—"),
                                                                    *RejectionReason.choices]))
    decision_note = forms.CharField(label=_("Note"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    bank = forms.CharField(label=_("Paid through"), required=False,
                           widget=forms.Select(choices=Bank.choices))
    bank_account = forms.CharField(label=_("Account number"), required=False, max_length=34)


class AppealForm(ServiceForm):
    required_fields = ("grounds",)
    error_aliases = {"status": "grounds"}
    grounds = forms.CharField(label=_("Grounds of the appeal"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(ServiceForm):
    error_aliases = {"status": "reason"}
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class AwardStatusForm(ServiceForm):
    required_fields = ("action",)
    error_aliases = {"status": "action"}
    action_choices = [("", "—"), ("suspend", _("Suspend")), ("resume", _("Resume")),
                      ("end", _("End"))]
    action = forms.CharField(label=_("Change"), required=False,
                             widget=forms.Select(choices=action_choices))
    effective_on = forms.CharField(label=_("From (date)"), required=False, widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
