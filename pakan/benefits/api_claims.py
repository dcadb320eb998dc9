"""The claims and awards API under /api/v1/benefits/: list, file and read claims, attach
documents, decide, appeal, withdraw; an insured person's own awards and messages.

Thin like the fund's: parse, call one service or selector, answer. The same scope as the pages:
staff see their area, an insured-member account (token or session) its own claims and awards,
anything else 404. Errors have the registry's one shape, {"errors": [{"field", "code",
"reason_en", "reason_lo"}]}.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from pakan.accounts.scope import OutOfScope, restrict
from pakan.benefits.models import Award, Claim, ClaimDocument, ClaimStep, Notification
from pakan.benefits.selectors import awards as award_selectors
from pakan.benefits.selectors import claims as claim_selectors
from pakan.benefits.services import claims as claim_services
from pakan.benefits.validation import BenefitsValidationError, error
from pakan.registry.api import RegistryAPIView, error_responses, parse
from pakan.registry.models import Person
from pakan.registry.serializers import (
    InputSerializer,
    IsoDateField,
    StrictCharField,
    StrictIntegerField,
)
from pakan.socialsecurity.models import InsuredMember
from pakan.socialsecurity.selectors.register import member_for
from pakan.socialsecurity.selectors.voluntary import member_of_user

TAG = "benefits: claims"


class ClaimsPermission(BasePermission):
    """Staff with a scope read; staff who may change write. An insured-member account reads its
    own claims and awards and files, documents, appeals or withdraws its own claims. Services
    and selectors check again, row by row."""

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_registry_staff:
            return request.method in SAFE_METHODS or user.can_change_registry
        if member_of_user(user) is None:
            return False
        return request.method in SAFE_METHODS or getattr(view, "member_may_post", False)


class ClaimsAPIView(RegistryAPIView):
    permission_classes = [ClaimsPermission]


# --- shapes -----------------------------------------------------------------------------------

class ClaimInput(InputSerializer):
    member = StrictIntegerField(required=False, allow_null=True,
                                help_text="Insured member id (officers); a member account "
                                          "leaves it out (its own record).")
    person = StrictIntegerField(required=False, allow_null=True,
                                help_text="Or the registry person id of the insured person.")
    claimant = StrictIntegerField(required=False, allow_null=True,
                                  help_text="Registry person id of the claimant (survivors, "
                                            "funeral, the wife for maternity); default: the "
                                            "insured person.")
    branch = StrictCharField(help_text="old_age, invalidity, survivors, funeral, sickness, "
                                       "maternity, employment_injury or unemployment.")
    event_date = IsoDateField(help_text="YYYY-MM-DD.")
    facts = serializers.DictField(required=False, default=dict,
                                  help_text="The branch's facts (docs/benefits-claims.md).")
    bank = StrictCharField(required=False, default="CASH")
    bank_account = StrictCharField(required=False, default="")


class DecisionInput(InputSerializer):
    outcome = StrictCharField(help_text="approve or reject.")
    rejection_reason = StrictCharField(required=False, default="")
    note = StrictCharField(required=False, default="")
    bank = StrictCharField(required=False, allow_null=True, default=None)
    bank_account = StrictCharField(required=False, default="")


class AppealInput(InputSerializer):
    grounds = StrictCharField()


class WithdrawalInput(InputSerializer):
    reason = StrictCharField(required=False, default="")


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimDocument
        fields = ["id", "kind", "original_name", "sha256", "size_bytes", "uploaded_at"]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimStep
        fields = ["action", "at", "note", "details"]


class AwardSerializer(serializers.ModelSerializer):
    monthly_amount = serializers.SerializerMethodField()
    amounts = serializers.SerializerMethodField()

    class Meta:
        model = Award
        fields = ["id", "claim", "member", "beneficiary", "branch", "kind", "start_on", "end_on",
                  "monthly_amount", "lump_sum_amount", "amounts", "status", "status_since",
                  "bank", "rules_version", "decided_on", "explanation"]

    def get_monthly_amount(self, award: Award) -> int | None:
        if hasattr(award, "monthly_amount"):
            return award.monthly_amount
        latest = award.amounts.order_by("-effective_from").first()
        return latest.monthly_amount if latest else None

    def get_amounts(self, award: Award) -> list[dict]:
        return [{"effective_from": amount.effective_from, "monthly_amount": amount.monthly_amount,
                 "reason": amount.reason} for amount in award.amounts.order_by("effective_from")]


class ClaimSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    social_security_number = serializers.CharField(source="member.social_security_number")

    class Meta:
        model = Claim
        fields = ["id", "number", "member", "social_security_number", "claimant", "branch",
                  "event_date", "filed_on", "channel", "status", "decided_on",
                  "rejection_reason"]


class ClaimDetailSerializer(ClaimSerializer):
    documents = DocumentSerializer(many=True, read_only=True)
    steps = serializers.SerializerMethodField()
    awards = AwardSerializer(many=True, read_only=True)
    appeal_deadline = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "event_details", "checks", "assessment",
                  "decision_note", "bank", "bank_account", "appeal_deadline", "documents",
                  "steps", "awards"]

    def get_steps(self, claim: Claim) -> list[dict]:
        return StepSerializer(claim_selectors.steps_of(claim), many=True).data

    def get_appeal_deadline(self, claim: Claim) -> datetime.date | None:
        return claim_services.appeal_deadline(claim) if claim.decided_on else None


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "claim", "award", "text_en", "text_lo", "created_at", "read_at"]


def _detail(claim: Claim, code: int = status.HTTP_200_OK) -> Response:
    claim = Claim.objects.select_related("member").get(pk=claim.pk)
    return Response(ClaimDetailSerializer(claim).data, status=code)


# --- claims -----------------------------------------------------------------------------------

def _insured_of_request(user, data: dict):
    """The insured person a claim is filed on: a member account's own; for officers the member
    id or the registry person id (which the service refuses when not insured)."""
    own = member_of_user(user)
    if own is not None:
        if data.get("member") not in (None, own.pk) or data.get("person") not in (
                None, own.person_id):
            raise OutOfScope
        return own
    if data.get("member") is not None:
        return member_for(user, data["member"])
    if data.get("person") is not None:
        person = restrict(Person.objects.select_related("village"), user).filter(
            pk=data["person"]).first()
        if person is None:
            raise OutOfScope
        return person
    raise BenefitsValidationError([error("member", "claim_required")])


def _claimant_of_request(user, insured, claimant_id: int | None) -> Person | None:
    """The claimant by registry id: a member account may name only itself; an officer a
    person of the area, family or household of the insured person."""
    if claimant_id is None or not isinstance(insured, InsuredMember):
        return None  # a person who is not insured is refused as such by the service
    own = member_of_user(user)
    if own is not None:
        if claimant_id != own.person_id:
            raise BenefitsValidationError([error("claimant", "claim_own_claims_only")])
        return own.person
    found = claim_selectors.find_claimant(user, insured, str(claimant_id))
    if found is None:
        raise BenefitsValidationError([error("claimant", "claim_unknown_person")])
    return found


class ClaimsView(ClaimsAPIView):
    member_may_post = True

    @extend_schema(operation_id="benefit_claims_list", tags=[TAG],
                   summary="Claims in the caller's scope (a member: its own)",
                   description="Filter by status, branch and member id.",
                   responses={200: ClaimSerializer(many=True), **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        member_id = request.query_params.get("member", "")
        claims = claim_selectors.filter_claims(
            request.user, status=request.query_params.get("status", ""),
            branch=request.query_params.get("branch", ""),
            member_id=int(member_id) if member_id.isdigit() else None)
        page = self.paginate_queryset(claims)
        return self.get_paginated_response(ClaimSerializer(page, many=True).data)

    @extend_schema(
        operation_id="benefit_claims_file", tags=[TAG], request=ClaimInput,
        summary="File a claim",
        description="Checked against the registry and the contribution record; refused (400) "
                    "with the field of each hard failure, or filed (201) with every check and "
                    "the rules' assessment. A member account files for itself (channel api).",
        responses={201: ClaimDetailSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request: Request) -> Response:
        data = parse(ClaimInput, request.data)
        insured = _insured_of_request(request.user, data)
        officer = claim_services.is_officer(request.user)
        claim = claim_services.file_claim(
            request.user, member=insured,
            claimant=_claimant_of_request(request.user, insured, data.get("claimant")),
            branch=data["branch"], event_date=data["event_date"], facts=data["facts"],
            channel=Claim.Channel.OFFICE if officer else Claim.Channel.API,
            bank=data["bank"], bank_account=data["bank_account"])
        return _detail(claim, status.HTTP_201_CREATED)


class ClaimView(ClaimsAPIView):
    @extend_schema(operation_id="benefit_claim_read", tags=[TAG],
                   summary="Read a claim: checks, the rules' explanation, documents, steps, "
                           "awards",
                   responses={200: ClaimDetailSerializer, **error_responses(401, 403, 404)})
    def get(self, request: Request, claim_id: int) -> Response:
        return _detail(claim_selectors.claim_for(request.user, claim_id))


class ClaimDocumentsView(ClaimsAPIView):
    member_may_post = True
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(operation_id="benefit_claim_document_add", tags=[TAG],
                   request={"multipart/form-data": {"type": "object", "properties": {
                       "kind": {"type": "string"}, "file": {"type": "string",
                                                            "format": "binary"}}}},
                   summary="Attach a document (PDF, JPEG or PNG, at most 5 MB)",
                   responses={201: ClaimDetailSerializer, **error_responses(400, 401, 403,
                                                                            404)})
    def post(self, request: Request, claim_id: int) -> Response:
        claim = claim_selectors.claim_for(request.user, claim_id)
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise BenefitsValidationError([error("file", "claim_required")])
        content = uploaded.read(claim_services.MAX_DOCUMENT_BYTES + 1)
        claim_services.add_document(request.user, claim, claim_services.DocumentUpload(
            kind=str(request.data.get("kind", "")), name=uploaded.name or "", content=content))
        return _detail(claim, status.HTTP_201_CREATED)


class DecisionView(ClaimsAPIView):
    @extend_schema(operation_id="benefit_claim_decide", tags=[TAG], request=DecisionInput,
                   summary="Approve or reject a claim (another officer than its filer)",
                   description="A filed claim is decided; a claim under appeal is decided "
                               "again (by an officer who neither filed nor first decided it). "
                               "Approval assesses it on today's record and creates or changes "
                               "its award(s).",
                   responses={200: ClaimDetailSerializer, **error_responses(400, 401, 403,
                                                                            404)})
    def post(self, request: Request, claim_id: int) -> Response:
        data = parse(DecisionInput, request.data)
        claim = claim_selectors.claim_for(request.user, claim_id)
        if data["outcome"] not in ("approve", "reject"):
            raise BenefitsValidationError([error("outcome", "claim_bad_outcome")])
        approve = data["outcome"] == "approve"
        options = {"note": data["note"]}
        if approve:
            options |= {"bank": data["bank"], "bank_account": data["bank_account"]}
        else:
            options["reason"] = data["rejection_reason"]
        if claim.status == Claim.Status.APPEALED:
            claim_services.redecide_claim(request.user, claim, approve=approve, **options)
        elif approve:
            claim_services.approve_claim(request.user, claim, **options)
        else:
            claim_services.reject_claim(request.user, claim, **options)
        return _detail(claim)


class AppealView(ClaimsAPIView):
    member_may_post = True

    @extend_schema(operation_id="benefit_claim_appeal", tags=[TAG], request=AppealInput,
                   summary="Appeal a decision (the claimant, or an officer for them)",
                   responses={200: ClaimDetailSerializer, **error_responses(400, 401, 403,
                                                                            404)})
    def post(self, request: Request, claim_id: int) -> Response:
        data = parse(AppealInput, request.data)
        claim = claim_selectors.claim_for(request.user, claim_id)
        claim_services.appeal_claim(request.user, claim, grounds=data["grounds"])
        return _detail(claim)


class WithdrawalView(ClaimsAPIView):
    member_may_post = True

    @extend_schema(operation_id="benefit_claim_withdraw", tags=[TAG], request=WithdrawalInput,
                   summary="Withdraw a claim not yet decided",
                   responses={200: ClaimDetailSerializer, **error_responses(400, 401, 403,
                                                                            404)})
    def post(self, request: Request, claim_id: int) -> Response:
        data = parse(WithdrawalInput, request.data)
        claim = claim_selectors.claim_for(request.user, claim_id)
        claim_services.withdraw_claim(request.user, claim, reason=data["reason"])
        return _detail(claim)


# --- awards and messages ----------------------------------------------------------------------

class AwardView(ClaimsAPIView):
    @extend_schema(operation_id="benefit_award_read", tags=[TAG],
                   summary="Read an award with its dated amounts and explanation",
                   responses={200: AwardSerializer, **error_responses(401, 403, 404)})
    def get(self, request: Request, award_id: int) -> Response:
        return Response(AwardSerializer(award_selectors.award_for(request.user, award_id)).data)


class MyAwardsView(ClaimsAPIView):
    @extend_schema(operation_id="benefit_my_awards", tags=[TAG],
                   summary="The insured person's own awards (member accounts)",
                   responses={200: AwardSerializer(many=True), **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        if member_of_user(request.user) is None:
            raise PermissionDenied
        awards = award_selectors.awards_in_scope(request.user).order_by("-decided_on", "-id")
        page = self.paginate_queryset(awards)
        return self.get_paginated_response(AwardSerializer(page, many=True).data)


class MyNotificationsView(ClaimsAPIView):
    @extend_schema(operation_id="benefit_my_notifications", tags=[TAG],
                   summary="The insured person's messages about claims and awards",
                   responses={200: NotificationSerializer(many=True),
                              **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        if member_of_user(request.user) is None:
            raise PermissionDenied
        page = self.paginate_queryset(claim_selectors.notifications_of(request.user))
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)
