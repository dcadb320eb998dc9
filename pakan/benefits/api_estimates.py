"""The benefit estimator's REST API under /api/v1/benefits/estimates/.

GET me/?scenario=retire&age=60 answers for the member account asking (a self-service login
linked to its member record); GET member/<id>/?... for fund staff, within their scope (outside
it: 404, as for an id that does not exist). Scenarios: retire (age), sickness (days,
work_related, on), maternity (children, on). Bad parameters answer 400 in the registry's
bilingual error shape, every problem at once.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from pakan.benefits.services.estimates import (
    MAXIMUM_CHILDREN,
    MAXIMUM_SICKNESS_DAYS,
    RETIREMENT_AGES,
    estimate_for_member,
    parse_scenario,
)
from pakan.registry.api import RegistryAPIView, error_responses
from pakan.socialsecurity.selectors.pages import is_staff_reader
from pakan.socialsecurity.selectors.register import member_for
from pakan.socialsecurity.selectors.voluntary import member_of_user

TAG = "benefits"


class EstimatePermission(BasePermission):
    """Reading only: a linked member account for its own record, scoped staff for others."""

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated) or request.method not in SAFE_METHODS:
            return False
        if getattr(view, "own_record", False):
            view.own_member = member_of_user(user)  # read once, used by the view
            return view.own_member is not None
        return is_staff_reader(user)


# --- shapes for the schema ----------------------------------------------------------------------

class TextSerializer(serializers.Serializer):
    code = serializers.CharField(required=False)
    en = serializers.CharField()
    lo = serializers.CharField()


class ExplanationSerializer(serializers.Serializer):
    """The rules' explanation (pakan.rules.benefits Assessment.explanation)."""

    branch = serializers.CharField()
    rules_version = serializers.CharField()
    event_date = serializers.CharField()
    regime = serializers.JSONField()
    qualifies = serializers.BooleanField()
    refusal = TextSerializer(allow_null=True)
    variant = serializers.CharField()
    kind = serializers.CharField()
    monthly_amount = serializers.IntegerField(help_text="Kip per month (0 for a lump sum).")
    lump_sum = serializers.IntegerField(help_text="Kip, once (0 for a periodic benefit).")
    end_date = serializers.CharField(allow_null=True)
    months_counted = serializers.IntegerField()
    months = serializers.JSONField(help_text="Counted months as [first, last] ranges.")
    reference_wage = serializers.JSONField(help_text="amount, method_en, method_lo, months.")
    parameters = serializers.JSONField(help_text="name, value, start, reference, provisional, "
                                                 "provisional_reason of each value used.")
    steps = TextSerializer(many=True)


class ContinuationSerializer(serializers.Serializer):
    first = serializers.CharField(help_text="YYYY-MM")
    last = serializers.CharField(help_text="YYYY-MM")
    months = serializers.IntegerField()
    wage = serializers.IntegerField(help_text="The current insurable wage, kip a month.")


class EstimateSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    social_security_number = serializers.CharField()
    scenario = serializers.JSONField()
    branch = serializers.CharField()
    as_of = serializers.DateField()
    event_date = serializers.DateField()
    rules_version = serializers.CharField()
    months_recorded = serializers.IntegerField()
    unpaid_employer_months = serializers.ListField(child=serializers.CharField())
    continuation = ContinuationSerializer(allow_null=True)
    if_record_continues = ExplanationSerializer(
        allow_null=True, help_text="The record continued at the current insurable wage until "
                                   "the event; null when no month is added (the member is not "
                                   "contributing now, or no month is left before the event).")
    if_stopped_today = ExplanationSerializer(help_text="The record as it stands today.")
    provisional = serializers.BooleanField()
    provisional_parameters = serializers.ListField(child=serializers.CharField())
    notes = TextSerializer(many=True)


QUERY = [
    OpenApiParameter("scenario", str, enum=["retire", "sickness", "maternity"], required=True),
    OpenApiParameter("age", int, description=f"retire: the age of retirement, "
                                             f"{RETIREMENT_AGES[0]}-{RETIREMENT_AGES[1]}."),
    OpenApiParameter("days", int, description=f"sickness: days of illness, "
                                              f"1-{MAXIMUM_SICKNESS_DAYS}."),
    OpenApiParameter("work_related", str, enum=["yes", "no"],
                     description="sickness: caused by work (default no)."),
    OpenApiParameter("children", int, description=f"maternity: children born, 1 (default) - "
                                                  f"{MAXIMUM_CHILDREN}; 2 for twins."),
    OpenApiParameter("on", str, description="sickness, maternity: the date of the event, "
                                            "YYYY-MM-DD (default today)."),
]


class EstimateAPIView(RegistryAPIView):
    permission_classes = [EstimatePermission]
    own_record = False

    def answer(self, request: Request, member) -> Response:
        today = timezone.localdate()
        scenario = parse_scenario(request.query_params, today)
        estimate = estimate_for_member(request.user, member, scenario, today)
        return Response(estimate.as_json())


class OwnEstimateView(EstimateAPIView):
    own_record = True
    own_member = None

    @extend_schema(operation_id="benefit_estimate_own", tags=[TAG], parameters=QUERY,
                   summary="Estimate a benefit from my own record",
                   description="For a member account: what the rules would pay if I retired "
                               "at an age, fell ill or had a child, with my record continued "
                               "at my current insurable wage and as it stands today.",
                   responses={200: EstimateSerializer, **error_responses(400, 401, 403)})
    def get(self, request: Request) -> Response:
        return self.answer(request, self.own_member)


class MemberEstimateView(EstimateAPIView):
    @extend_schema(operation_id="benefit_estimate_member", tags=[TAG], parameters=QUERY,
                   summary="Estimate a benefit for an insured person (staff)",
                   description="The same estimate for any member in the caller's scope; the "
                               "look is logged in the audit trail.",
                   responses={200: EstimateSerializer, **error_responses(400, 401, 403, 404)})
    def get(self, request: Request, member_id: int) -> Response:
        return self.answer(request, member_for(request.user, member_id))
