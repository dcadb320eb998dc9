"""The benefit estimator's pages: a member's own (self-service, phone first) and an officer's
for any member in their scope. Both call the same service as the API; this module only reads
the question from the address and puts the answer in the page's language.

Opening the page without a question answers the commonest one: retiring at 60.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from pakan.benefits.services.estimates import (
    MAXIMUM_CHILDREN,
    MAXIMUM_SICKNESS_DAYS,
    RETIREMENT_AGES,
    MemberEstimate,
    estimate_for_member,
    parse_scenario,
)
from pakan.benefits.validation import BenefitsValidationError
from pakan.socialsecurity.models import InsuredMember
from pakan.socialsecurity.selectors.register import member_for
from pakan.socialsecurity.views.common import member_page, officer_page

DEFAULT_QUESTION = {"scenario": "retire", "age": "60"}
QUESTION_FIELDS = ("scenario", "age", "days", "work_related", "children", "on")


def _in_language(pair: dict | None, lao: bool) -> str:
    if not pair:
        return ""
    return pair.get("lo" if lao else "en", "")


def _explained(explanation: dict | None, lao: bool) -> dict | None:
    """The rules' explanation with its texts in the page's language."""
    if explanation is None:
        return None
    reference = explanation.get("reference_wage") or {}
    return {
        **explanation,
        "refusal_text": _in_language(explanation.get("refusal"), lao),
        "steps_text": [_in_language(step, lao) for step in explanation.get("steps", [])],
        "reference_method": reference.get("method_lo" if lao else "method_en", ""),
        "reference_amount": reference.get("amount", 0),
        "reference_months": reference.get("months", []),
        "regime_text": _regime_text(explanation.get("regime"), lao),
    }


def _regime_text(regime: object, lao: bool) -> str:
    if isinstance(regime, dict):
        return str(regime.get("lo" if lao else "en") or regime.get("name") or "")
    return str(regime or "")


def _answer_context(estimate: MemberEstimate) -> dict:
    lao = (get_language() or "lo").startswith("lo")
    return {
        "estimate": estimate,
        "main": _explained(estimate.main, lao),
        "stopped": _explained(estimate.if_stopped, lao),
        "continued": estimate.if_continued is not None,
        "notes": [_in_language(item, lao) for item in estimate.notes],
        "provisional": estimate.provisional_parameters,
    }


def _estimate_page(request: HttpRequest, member: InsuredMember, *, own: bool) -> HttpResponse:
    asked = {name: request.GET[name] for name in QUESTION_FIELDS if name in request.GET}
    question = asked if "scenario" in asked else DEFAULT_QUESTION
    context = {"member": member, "person": member.person, "own": own,
               "question": {**DEFAULT_QUESTION, **question}, "errors": [],
               "ages": RETIREMENT_AGES, "maximum_days": MAXIMUM_SICKNESS_DAYS,
               "maximum_children": MAXIMUM_CHILDREN}
    today = timezone.localdate()
    status = 200
    try:
        scenario = parse_scenario(question, today)
        context.update(_answer_context(estimate_for_member(request.user, member, scenario,
                                                           today)))
    except BenefitsValidationError as problem:
        context["errors"] = problem.errors
        status = 400
    return render(request, "benefits/estimate.html", context, status=status)


@member_page
@require_http_methods(["GET"])
def own_estimate(request: HttpRequest, member: InsuredMember) -> HttpResponse:
    """/benefits/estimates/me/: the member's own record (a self-service login)."""
    return _estimate_page(request, member, own=True)


@officer_page
@require_http_methods(["GET"])
def member_estimate(request: HttpRequest, member_id: int) -> HttpResponse:
    """/benefits/estimates/member/<id>/: any member in the officer's scope (else 404)."""
    return _estimate_page(request, member_for(request.user, member_id), own=False)
