"""The fund's REST API under /api/v1/fund/: employers, members, declarations, invoices,
payments, statements of account, arrears, billing runs and inspections.

Thin like the registry's: parse, call one service or selector, answer. The same scope as the
pages: staff see their area, an employer account (token or session) only its own enterprise,
anything else 404. Errors have the registry's one shape, {"errors": [{"field", "code",
"reason_en", "reason_lo"}]}; a refused declaration adds the row of each error and the id of
the stored refusal ("declaration").
"""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from pakan.accounts.scope import OutOfScope
from pakan.jobs.models import Job
from pakan.registry.api import RegistryAPIView, error_responses, parse
from pakan.socialsecurity import serializers as shapes
from pakan.socialsecurity.models import Declaration, Employer, InsuredMember
from pakan.socialsecurity.selectors import accounts as account_selectors
from pakan.socialsecurity.selectors import billing as billing_selectors
from pakan.socialsecurity.selectors import declarations as declaration_selectors
from pakan.socialsecurity.selectors import inspections as inspection_selectors
from pakan.socialsecurity.selectors import pages as page_selectors
from pakan.socialsecurity.selectors.register import (
    contribution_history,
    employer_for,
    employer_of_user,
    member_for,
)
from pakan.socialsecurity.services import billing as billing_services
from pakan.socialsecurity.services import declarations as declaration_services
from pakan.socialsecurity.services import payments as payment_services
from pakan.socialsecurity.validation import refuse

TAG = "social security"
BUCKET_NAMES = {"0-30": "days_0_30", "31-90": "days_31_90", "91-180": "days_91_180",
                "180+": "days_over_180"}
DEFAULT_STATEMENT_DAYS = 365


class FundPermission(BasePermission):
    """Staff with a scope read; staff who may change write. An employer account reads its own
    enterprise and sends its declarations. Services and selectors check again, row by row."""

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_registry_staff:
            return request.method in SAFE_METHODS or user.can_change_registry
        if employer_of_user(user) is None:
            return False
        return request.method in SAFE_METHODS or getattr(view, "employer_may_post", False)


class FundAPIView(RegistryAPIView):
    permission_classes = [FundPermission]


def _month(text: str, field: str = "month") -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise refuse(field, "portal_bad_month") from None


def _optional_month(text: str) -> datetime.date | None:
    return _month(text) if text else None


def _employer_of_request(user, employer_id: int | None) -> Employer:
    """The employer named in a request: an employer account's own (never another's)."""
    own = employer_of_user(user)
    if own is not None:
        if employer_id not in (None, own.pk):
            raise OutOfScope
        return own
    if employer_id is None:
        raise refuse("employer", "required")
    return employer_for(user, employer_id)


# --- employers and members -------------------------------------------------------------------

class EmployersView(FundAPIView):
    @extend_schema(operation_id="fund_employers_list", tags=[TAG], parameters=[
        shapes.EmployerQuery], summary="Employers in the caller's scope",
        description="Filter by number or name (q), status, sector (ISIC letter) and province "
                    "code. An employer account sees its own enterprise only.",
        responses={200: shapes.EmployerSerializer(many=True), **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        query = parse(shapes.EmployerQuery, request.query_params)
        employers = page_selectors.filter_employers(
            request.user, query=query["q"], status=query["status"], sector=query["sector"],
            province=query["province"])
        page = self.paginate_queryset(employers)
        return self.get_paginated_response(shapes.EmployerSerializer(page, many=True).data)


class EmployerView(FundAPIView):
    @extend_schema(operation_id="fund_employer_read", tags=[TAG], summary="Read an employer",
                   responses={200: shapes.EmployerSerializer, **error_responses(401, 403, 404)})
    def get(self, request: Request, employer_id: int) -> Response:
        return Response(shapes.EmployerSerializer(employer_for(request.user, employer_id)).data)


class StatementView(FundAPIView):
    @extend_schema(operation_id="fund_employer_statement", tags=[TAG],
                   parameters=[shapes.StatementQuery], summary="Statement of account",
                   description="Balance brought forward, every invoice, payment and reversal "
                               "between start and end (default: the last 365 days), and the "
                               "balance after each: billed minus paid.",
                   responses={200: shapes.StatementSerializer, **error_responses(401, 403, 404)})
    def get(self, request: Request, employer_id: int) -> Response:
        employer = employer_for(request.user, employer_id)
        query = parse(shapes.StatementQuery, request.query_params)
        end = query["end"] or timezone.localdate()
        start = query["start"] or end - datetime.timedelta(days=DEFAULT_STATEMENT_DAYS)
        found = account_selectors.statement_of_account(employer=employer, start=start,
                                                       end=end, user=request.user)
        body = {"employer": employer.pk, "start": found.start, "end": found.end,
                "opening_balance": found.opening_balance,
                "closing_balance": found.closing_balance, "total_billed": found.total_billed,
                "total_paid": found.total_paid,
                "lines": [dataclasses.asdict(line) for line in found.lines]}
        return Response(shapes.StatementSerializer(body).data)


class MembersView(FundAPIView):
    @extend_schema(operation_id="fund_members_list", tags=[TAG],
                   summary="Insured persons in the caller's scope",
                   responses={200: shapes.MemberSerializer(many=True),
                              **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        members = page_selectors.filter_members(request.user,
                                                query=request.query_params.get("q", "")[:200])
        page = self.paginate_queryset(members)
        return self.get_paginated_response(shapes.MemberSerializer(page, many=True).data)


class MemberView(FundAPIView):
    @extend_schema(operation_id="fund_member_read", tags=[TAG],
                   summary="Read an insured person with the contribution record",
                   responses={200: shapes.MemberDetailSerializer,
                              **error_responses(401, 403, 404)})
    def get(self, request: Request, member_id: int) -> Response:
        member: InsuredMember = member_for(request.user, member_id)
        context = {"contributions": contribution_history(member)}
        return Response(shapes.MemberDetailSerializer(member, context=context).data)


# --- declarations ----------------------------------------------------------------------------

class DeclarationsView(FundAPIView):
    employer_may_post = True

    @extend_schema(operation_id="fund_declarations_list", tags=[TAG],
                   parameters=[shapes.MonthQuery], summary="Declarations in the caller's scope",
                   responses={200: shapes.DeclarationSerializer(many=True),
                              **error_responses(400, 401, 403)})
    def get(self, request: Request) -> Response:
        query = parse(shapes.MonthQuery, request.query_params)
        employer = employer_for(request.user, query["employer"]) if query["employer"] else None
        declarations = page_selectors.filter_declarations(
            request.user, month=_optional_month(query["month"]), status=query["status"],
            employer=employer)
        page = self.paginate_queryset(declarations)
        return self.get_paginated_response(shapes.DeclarationSerializer(page, many=True).data)

    @extend_schema(
        operation_id="fund_declarations_submit", tags=[TAG], request=shapes.DeclarationInput,
        summary="Declare a month's workers and wages",
        description="Checked line by line (unknown person, not employed there, wage under "
                    "the floor, duplicate line, month already declared or in the future). "
                    "Accepted whole (201) or refused whole (400): the refusal is stored and "
                    "its id returned with every error and its row. A correction (corrects: "
                    "true) supersedes the month's accepted declaration.",
        responses={201: shapes.DeclarationDetailSerializer,
                   400: OpenApiResponse(shapes.RefusedDeclarationResponse,
                                        description="Refused: each error names its row."),
                   **error_responses(401, 403, 404)})
    def post(self, request: Request) -> Response:
        data = parse(shapes.DeclarationInput, request.data)
        employer = _employer_of_request(request.user, data.get("employer"))
        month = _month(data["month"])
        lines = [{**line, "row": number} for number, line in enumerate(data["lines"], start=1)]
        try:
            declaration = declaration_services.submit_declaration(
                request.user, employer, month, lines, channel=Declaration.Channel.API,
                declared_total=data.get("declared_total"), corrects=data["corrects"])
        except declaration_services.DeclarationRefused as refused:
            body = {"declaration": refused.declaration.pk,
                    "errors": [dataclasses.asdict(problem) for problem in refused.errors]}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(shapes.DeclarationDetailSerializer(declaration).data,
                        status=status.HTTP_201_CREATED)


class DeclarationView(FundAPIView):
    @extend_schema(operation_id="fund_declaration_read", tags=[TAG],
                   summary="Read a declaration with its lines or its refusal report",
                   responses={200: shapes.DeclarationDetailSerializer,
                              **error_responses(401, 403, 404)})
    def get(self, request: Request, declaration_id: int) -> Response:
        declaration = declaration_selectors.declaration_for(request.user, declaration_id)
        return Response(shapes.DeclarationDetailSerializer(declaration).data)


# --- invoices, payments, arrears -------------------------------------------------------------

class InvoicesView(FundAPIView):
    @extend_schema(operation_id="fund_invoices_list", tags=[TAG], parameters=[
        shapes.MonthQuery], summary="Invoices in the caller's scope, with what is still owed",
        responses={200: shapes.InvoiceSerializer(many=True), **error_responses(400, 401, 403)})
    def get(self, request: Request) -> Response:
        query = parse(shapes.MonthQuery, request.query_params)
        employer = employer_for(request.user, query["employer"]) if query["employer"] else None
        invoices = page_selectors.filter_invoices(
            request.user, month=_optional_month(query["month"]), employer=employer,
            open_only=query["status"] == "open")
        page = self.paginate_queryset(invoices)
        return self.get_paginated_response(shapes.InvoiceSerializer(page, many=True).data)


class PaymentsView(FundAPIView):
    @extend_schema(operation_id="fund_payments_list", tags=[TAG], parameters=[
        shapes.MonthQuery], summary="Payments in the caller's scope",
        responses={200: shapes.PaymentSerializer(many=True), **error_responses(400, 401, 403)})
    def get(self, request: Request) -> Response:
        query = parse(shapes.MonthQuery, request.query_params)
        employer = employer_for(request.user, query["employer"]) if query["employer"] else None
        payments = page_selectors.filter_payments(request.user, status=query["status"],
                                                  employer=employer)
        page = self.paginate_queryset(payments)
        return self.get_paginated_response(shapes.PaymentSerializer(page, many=True).data)

    @extend_schema(
        operation_id="fund_payments_record", tags=[TAG], request=shapes.PaymentInput,
        summary="Record a payment received (officers)",
        description="Posted to the ledger and allocated to the payer's oldest open invoices; "
                    "what is left stays as a credit. Name the payer by employer or member id.",
        responses={201: shapes.PaymentSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request: Request) -> Response:
        data = parse(shapes.PaymentInput, request.data)
        employer = employer_for(request.user, data["employer"]) if data.get("employer") \
            else None
        member = member_for(request.user, data["member"]) if data.get("member") and \
            employer is None else None
        if employer is None and member is None:
            raise refuse("employer", "required")
        payment = payment_services.record_payment(
            request.user, amount=data["amount"], received_on=data["received_on"],
            method=data["method"], employer=employer, member=member,
            payer_reference=data.get("payer_reference", ""), bank=data.get("bank", ""),
            bank_reference=data.get("bank_reference", ""))
        return Response(shapes.PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


def _buckets(row: dict) -> dict:
    return {**{name: int(row.get(label, 0)) for label, name in BUCKET_NAMES.items()},
            "total": int(row.get("total", 0))}


class ArrearsView(FundAPIView):
    @extend_schema(operation_id="fund_arrears", tags=[TAG], parameters=[shapes.AsOfQuery],
                   summary="Arrears by age, by province and by employer",
                   description="Outstanding kip of invoices past their due date on as_of "
                               "(default today), in the caller's scope.",
                   responses={200: shapes.ArrearsSerializer, **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        as_of = parse(shapes.AsOfQuery, request.query_params)["as_of"] or timezone.localdate()
        user = request.user
        body = {
            "as_of": as_of,
            "totals": _buckets(account_selectors.arrears_by_age(user, as_of)),
            "by_province": [{**row, **_buckets(row)}
                            for row in account_selectors.arrears_by_province(user, as_of)],
            "by_employer": [{**row, **_buckets(row)}
                            for row in account_selectors.arrears_by_employer(user, as_of)],
        }
        return Response(shapes.ArrearsSerializer(body).data)


# --- billing runs and inspections ------------------------------------------------------------

class BillingRunsView(FundAPIView):
    @extend_schema(operation_id="fund_billing_runs_list", tags=[TAG],
                   summary="Billing runs (national)",
                   responses={200: shapes.BillingRunSerializer(many=True),
                              **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        runs = billing_selectors.billing_runs(request.user).order_by("-month", "kind")
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(shapes.BillingRunSerializer(page, many=True).data)

    @extend_schema(
        operation_id="fund_billing_runs_start", tags=[TAG], request=shapes.BillingRunInput,
        summary="Start billing a month (central accounts)",
        description="Starts the month's run as a background job and answers at once (202); "
                    "poll progress_url, then read the run. Starting a month again bills only "
                    "what is not billed yet.",
        responses={202: shapes.BillingJobSerializer, **error_responses(400, 401, 403)})
    def post(self, request: Request) -> Response:
        month = _month(parse(shapes.BillingRunInput, request.data)["month"])
        if not page_selectors.may_start_billing(request.user):
            raise PermissionDenied
        job: Job = billing_services.start_billing_job(request.user, month)
        body = {"job": job.pk, "status": job.status, "month": f"{month:%Y-%m}",
                "progress_url": f"/jobs/{job.pk}/progress/"}
        return Response(shapes.BillingJobSerializer(body).data,
                        status=status.HTTP_202_ACCEPTED)


class InspectionsView(FundAPIView):
    @extend_schema(operation_id="fund_inspections_list", tags=[TAG],
                   summary="Inspection cases in the caller's scope",
                   responses={200: shapes.InspectionSerializer(many=True),
                              **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        inspections = inspection_selectors.inspections_in_scope(request.user).order_by(
            "-planned_on", "-id")
        page = self.paginate_queryset(inspections)
        return self.get_paginated_response(shapes.InspectionSerializer(page, many=True).data)

