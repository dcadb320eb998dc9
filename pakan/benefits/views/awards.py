"""Award pages: the officers' list and an award's page (the explanation it was decided on, its
dated amounts, status history, payroll lines and recoveries, with suspend / resume / end), and
the insured person's own awards under /benefits/me/awards/."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from pakan.audit.services import record_view
from pakan.benefits.forms_claims import AwardStatusForm
from pakan.benefits.models import Award, Branch
from pakan.benefits.selectors import awards as award_selectors
from pakan.benefits.services import awards as award_services
from pakan.benefits.validation import error
from pakan.registry.validation import RegistryValidationError
from pakan.socialsecurity.models import InsuredMember
from pakan.socialsecurity.views.common import (
    audited_export,
    export_format,
    member_page,
    officer_page,
    page_of,
    parse_day,
    query_without_page,
    stream,
)

AWARD_EXPORT_HEADER = ("award", "claim", "social_security_number", "beneficiary_registry_number",
                       "beneficiary_name_latin", "branch", "kind", "start_on", "end_on",
                       "monthly_amount", "lump_sum_amount", "status", "status_since", "bank",
                       "rules_version")
ACTIONS = {"suspend": award_services.suspend_award, "resume": award_services.resume_award,
           "end": award_services.end_award}
ALL = gettext_lazy("All")


class AwardFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", ALL), *Award.Status.choices])
    branch = forms.ChoiceField(label=gettext_lazy("Benefit"), required=False,
                               choices=[("", ALL), *Branch.choices])
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", ALL), *Award.Kind.choices])


def award_export_row(award: Award) -> list:
    return [award.pk, award.claim.number, award.member.social_security_number,
            award.beneficiary_id, award.beneficiary.full_name_latin, award.branch, award.kind,
            award.start_on, award.end_on, award.monthly_amount, award.lump_sum_amount,
            award.status, award.status_since, award.bank, award.rules_version]


@officer_page
@require_http_methods(["GET"])
def award_list(request: HttpRequest) -> HttpResponse:
    member_id = request.GET.get("member", "")
    awards = award_selectors.filter_awards(
        request.user, status=request.GET.get("status", ""),
        branch=request.GET.get("branch", ""), kind=request.GET.get("kind", ""),
        member_id=int(member_id) if member_id.isdigit() else None)
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "benefits.award",
                              (award_export_row(award) for award in stream(awards)),
                              AWARD_EXPORT_HEADER, fmt, "benefit-awards")
    return render(request, "benefits/awards.html",
                  {"form": AwardFilterForm(request.GET or None),
                   "page": page_of(request, awards), "query": query_without_page(request)})


def _change(request: HttpRequest, award: Award, form: AwardStatusForm) -> None:
    action = form.value("action")
    if action not in ACTIONS:
        raise RegistryValidationError([error("action", "claim_required")])
    effective_on = parse_day(form.value("effective_on"))
    if form.value("effective_on") and effective_on is None:
        raise RegistryValidationError([error("effective_on", "claim_bad_date")])
    date_argument = "end_on" if action == "end" else "effective_on"
    ACTIONS[action](request.user, award, reason=form.value("reason"),
                    **{date_argument: effective_on})


@officer_page
@require_http_methods(["GET", "POST"])
def award_page(request: HttpRequest, award_id: int) -> HttpResponse:
    award = award_selectors.award_for(request.user, award_id)
    form = AwardStatusForm(request.POST if request.method == "POST" else None, prefix="status")
    status = 200
    if request.method == "POST":
        try:
            _change(request, award, form)
        except RegistryValidationError as problem:
            form.show_errors(problem.errors)
            status = 400
        else:
            messages.success(request, _("The award has been changed."))
            return redirect("benefits:award", award_id=award.pk)
    else:
        record_view(request.user, award)
    context = {"award": award, "claim": award.claim, "form": form,
               "explanation": award.explanation, "open_form": "status" if status == 400 else "",
               **award_selectors.award_history(award)}
    return render(request, "benefits/award.html", context, status=status)


@member_page
@require_http_methods(["GET"])
def my_awards(request: HttpRequest, member: InsuredMember) -> HttpResponse:
    awards = award_selectors.awards_in_scope(request.user).order_by("-decided_on", "-id")
    return render(request, "benefits/award_my_list.html",
                  {"member": member, "person": member.person, "awards": awards})
