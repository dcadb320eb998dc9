"""The pension payroll's API under /api/v1/benefits/payroll/: the runs, one month's run with its
totals by province (within the caller's scope) and bank files (national staff), and starting a
month's run (central staff), which answers at once with the job to poll.

Thin like the rest: parse, call one service or selector, answer. Errors have the registry's one
shape, {"errors": [{"field", "code", "reason_en", "reason_lo"}]}.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from pakan.accounts.scope import OutOfScope
from pakan.benefits.models import PayrollRun
from pakan.benefits.selectors import payroll as payroll_selectors
from pakan.benefits.services import payroll as payroll_services
from pakan.benefits.validation import BenefitsValidationError, error
from pakan.registry.api import RegistryAPIView, error_responses, parse
from pakan.registry.serializers import InputSerializer, IsoDateField, StrictCharField

TAG = "benefits: payroll"


class PayrollRunSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True,
                                   help_text=", ".join(PayrollRun.Status.values))
    job = serializers.IntegerField(source="job_id", read_only=True, allow_null=True)

    class Meta:
        model = PayrollRun
        fields = ("id", "month", "status", "paid_on", "job", "started_at", "finished_at",
                  "lines", "total_amount", "repaid_lines", "repaid_amount",
                  "indexations_applied", "lines_complete")

    def get_month(self, run: PayrollRun) -> str:
        return f"{run.month:%Y-%m}"


class ProvinceTotalSerializer(serializers.Serializer):
    province_code = serializers.CharField(source="village__parent__parent__code")
    province_en = serializers.CharField(source="village__parent__parent__name_en")
    province_lo = serializers.CharField(source="village__parent__parent__name_lo")
    lines = serializers.IntegerField()
    amount = serializers.IntegerField()


class BankFileSerializer(serializers.Serializer):
    bank = serializers.CharField()
    lines = serializers.IntegerField()
    total_amount = serializers.IntegerField()
    sha256 = serializers.CharField()


class PayrollRunInput(InputSerializer):
    month = StrictCharField(help_text="YYYY-MM: the month to pay.")
    paid_on = IsoDateField(required=False, allow_null=True,
                           help_text="The day the bank files pay (default today).")


class PayrollJobSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.CharField()
    month = serializers.CharField()
    progress_url = serializers.CharField()


def _month(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise BenefitsValidationError([error("month", "payroll_bad_month", value=text)]) from None


class PayrollRunsView(RegistryAPIView):
    @extend_schema(operation_id="benefits_payroll_runs_list", tags=[TAG],
                   summary="Pension payroll runs (national)",
                   responses={200: PayrollRunSerializer(many=True), **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        runs = payroll_selectors.payroll_runs(request.user).order_by("-month")
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(PayrollRunSerializer(page, many=True).data)

    @extend_schema(
        operation_id="benefits_payroll_runs_start", tags=[TAG], request=PayrollRunInput,
        summary="Pay a month (central accounts)",
        description="Starts the month's payroll as a background job and answers at once (202); "
                    "poll progress_url, then read the run. Starting a month again pays nobody "
                    "twice: a stopped run is finished, a done run is left as it is.",
        responses={202: PayrollJobSerializer, **error_responses(400, 401, 403)})
    def post(self, request: Request) -> Response:
        data = parse(PayrollRunInput, request.data)
        month = _month(data["month"])
        if not payroll_selectors.may_run_payroll(request.user):
            raise PermissionDenied
        job = payroll_services.start_payroll_job(request.user, month,
                                                 paid_on=data.get("paid_on"))
        body = {"job": job.pk, "status": job.status, "month": f"{month:%Y-%m}",
                "progress_url": f"/jobs/{job.pk}/progress/"}
        return Response(PayrollJobSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class PayrollRunView(RegistryAPIView):
    @extend_schema(operation_id="benefits_payroll_run", tags=[TAG],
                   summary="One month's payroll: figures, totals by province in the caller's "
                           "scope, bank files (national staff)",
                   responses={200: PayrollRunSerializer, **error_responses(401, 403, 404)})
    def get(self, request: Request, month: str) -> Response:
        try:
            run = payroll_selectors.payroll_run_for_month(request.user, _month(month))
        except BenefitsValidationError:
            raise OutOfScope from None
        body = dict(PayrollRunSerializer(run).data)
        body["by_province"] = ProvinceTotalSerializer(
            payroll_selectors.run_totals_by_province(request.user, run), many=True).data
        body["bank_files"] = BankFileSerializer(
            payroll_selectors.bank_files_of_run(request.user, run), many=True).data
        return Response(body)
