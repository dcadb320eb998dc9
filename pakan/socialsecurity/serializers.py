"""The fund API's request and response shapes.

As in the registry, request serializers only check presence and type (with the registry's
strict fields, so a number sent as text or a date as 31/01/2024 is refused with the same
bilingual error shape); the fund's rules stay in the services.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pakan.registry.serializers import (
    InputSerializer,
    IsoDateField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
)
from pakan.socialsecurity.models import (
    BillingRun,
    Declaration,
    DeclarationLine,
    Employer,
    Inspection,
    InsuredMember,
    Invoice,
    Payment,
)

# --- requests --------------------------------------------------------------------------------


class MonthField(StrictCharField):
    """A month as YYYY-MM text; the view reads it and answers a bad one in both languages."""


class DeclarationLineInput(InputSerializer):
    social_security_number = StrictCharField()
    monthly_wage = StrictIntegerField(help_text="Whole kip for the month.")


class DeclarationInput(InputSerializer):
    employer = StrictIntegerField(required=False, allow_null=True,
                                  help_text="Employer id; an employer account may leave it out "
                                            "(its own enterprise).")
    month = MonthField(help_text="YYYY-MM.")
    lines = DeclarationLineInput(many=True, allow_empty=False)
    declared_total = StrictIntegerField(required=False, allow_null=True,
                                        help_text="The total of the wages, if the sender "
                                                  "keeps one; it must match the lines.")
    corrects = StrictBooleanField(required=False, default=False,
                                  help_text="Replace the month's accepted declaration.")


class PaymentInput(InputSerializer):
    employer = StrictIntegerField(required=False, allow_null=True)
    member = StrictIntegerField(required=False, allow_null=True)
    amount = StrictIntegerField(help_text="Whole kip, more than 0.")
    received_on = IsoDateField(help_text="YYYY-MM-DD.")
    method = StrictCharField(help_text=", ".join(Payment.Method.values))
    payer_reference = StrictCharField(required=False)
    bank = StrictCharField(required=False)
    bank_reference = StrictCharField(required=False)


class BillingRunInput(InputSerializer):
    month = MonthField(help_text="YYYY-MM: the month to bill.")


class EmployerQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    status = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text=", ".join(Employer.Status.values))
    sector = serializers.CharField(required=False, allow_blank=True, default="", max_length=1)
    province = serializers.CharField(required=False, allow_blank=True, default="",
                                     max_length=4)


class MonthQuery(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False, allow_blank=True,
                                   default="", help_text="YYYY-MM.")
    status = serializers.CharField(required=False, allow_blank=True, default="")
    employer = serializers.IntegerField(required=False, allow_null=True, default=None)


class StatementQuery(serializers.Serializer):
    start = serializers.DateField(required=False, allow_null=True, default=None)
    end = serializers.DateField(required=False, allow_null=True, default=None)


class AsOfQuery(serializers.Serializer):
    as_of = serializers.DateField(required=False, allow_null=True, default=None)


# --- responses -------------------------------------------------------------------------------


class EmployerSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True,
                                   help_text=", ".join(Employer.Status.values))
    village_code = serializers.CharField(source="village.code", read_only=True)

    class Meta:
        model = Employer
        fields = ("id", "enterprise_number", "nssf_registration_number", "name_lo", "name_en",
                  "sector", "number_of_workers", "size_class", "village_code", "contact_person",
                  "phone", "email", "status", "status_since", "registered_on")


class MemberSerializer(serializers.ModelSerializer):
    name_lo = serializers.CharField(source="person.full_name_lo", read_only=True)
    name_latin = serializers.CharField(source="person.full_name_latin", read_only=True)
    date_of_birth = serializers.DateField(source="person.date_of_birth", read_only=True)
    village_code = serializers.CharField(source="person.village.code", read_only=True)

    class Meta:
        model = InsuredMember
        fields = ("id", "social_security_number", "person", "name_lo", "name_latin",
                  "date_of_birth", "village_code")


class ContributionMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    employer = serializers.IntegerField(allow_null=True)
    insurable_wage = serializers.IntegerField()
    insured_amount = serializers.IntegerField()
    employer_amount = serializers.IntegerField()
    source = serializers.CharField()
    paid = serializers.BooleanField()
    paid_on = serializers.DateField(allow_null=True)


class MemberDetailSerializer(MemberSerializer):
    contributions = serializers.SerializerMethodField()

    class Meta(MemberSerializer.Meta):
        fields = (*MemberSerializer.Meta.fields, "contributions")

    @extend_schema_field(ContributionMonthSerializer(many=True))
    def get_contributions(self, member: InsuredMember) -> list[dict]:
        records = self.context.get("contributions", [])
        return ContributionMonthSerializer(
            [{"month": row.month, "employer": row.employer_id,
              "insurable_wage": row.insurable_wage, "insured_amount": row.insured_amount,
              "employer_amount": row.employer_amount, "source": row.source, "paid": row.paid,
              "paid_on": row.paid_on} for row in records], many=True).data


class DeclarationErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    reason_en = serializers.CharField()
    reason_lo = serializers.CharField()


class DeclarationLineSerializer(serializers.ModelSerializer):
    social_security_number = serializers.CharField(source="member.social_security_number",
                                                   read_only=True)

    class Meta:
        model = DeclarationLine
        fields = ("line_number", "social_security_number", "monthly_wage")


class DeclarationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True,
                                   help_text=", ".join(Declaration.Status.values))
    employer_nssf_registration_number = serializers.CharField(
        source="employer.nssf_registration_number", read_only=True)
    errors = serializers.SerializerMethodField()

    class Meta:
        model = Declaration
        fields = ("id", "employer", "employer_nssf_registration_number", "month", "status",
                  "channel", "supersedes", "number_of_lines", "total_wages", "file_name",
                  "submitted_at", "errors")

    @extend_schema_field(DeclarationErrorSerializer(many=True))
    def get_errors(self, declaration: Declaration) -> list[dict]:
        return [{"row": problem.get("row"), "field": problem.get("field"),
                 "code": problem.get("code", ""),
                 "reason_en": problem.get("en") or problem.get("reason_en", ""),
                 "reason_lo": problem.get("lo") or problem.get("reason_lo", "")}
                for problem in declaration.errors or []]


class DeclarationDetailSerializer(DeclarationSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(DeclarationSerializer.Meta):
        fields = (*DeclarationSerializer.Meta.fields, "lines")

    @extend_schema_field(DeclarationLineSerializer(many=True))
    def get_lines(self, declaration: Declaration) -> list[dict]:
        lines = declaration.lines.select_related("member").order_by("line_number")
        return DeclarationLineSerializer(lines, many=True).data


class RefusedDeclarationResponse(serializers.Serializer):
    """A refused declaration: the id under which it is stored, and every error by row."""

    declaration = serializers.IntegerField()
    errors = DeclarationErrorSerializer(many=True)


class InvoiceSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    paid = serializers.IntegerField(read_only=True)
    outstanding = serializers.IntegerField(read_only=True)

    class Meta:
        model = Invoice
        fields = ("id", "number", "kind", "employer", "member", "month", "number_of_workers",
                  "insured_amount", "employer_amount", "state_subsidy", "total", "paid",
                  "outstanding", "issued_on", "due_on", "settled_on")


class PaymentSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True,
                                   help_text=", ".join(Payment.Status.values))
    class Meta:
        model = Payment
        fields = ("id", "employer", "member", "amount", "received_on", "method", "status",
                  "payer_reference", "bank", "bank_reference", "bank_statement",
                  "statement_line", "entered_at")


class StatementLineSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    reference = serializers.CharField()
    description_en = serializers.CharField()
    description_lo = serializers.CharField()
    debit = serializers.IntegerField(help_text="Billed, kip.")
    credit = serializers.IntegerField(help_text="Paid, kip.")
    balance = serializers.IntegerField(help_text="Running: positive = owed, negative = credit.")


class StatementSerializer(serializers.Serializer):
    employer = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    opening_balance = serializers.IntegerField()
    closing_balance = serializers.IntegerField()
    total_billed = serializers.IntegerField()
    total_paid = serializers.IntegerField()
    lines = StatementLineSerializer(many=True)


class ArrearsBucketsSerializer(serializers.Serializer):
    days_0_30 = serializers.IntegerField()
    days_31_90 = serializers.IntegerField()
    days_91_180 = serializers.IntegerField()
    days_over_180 = serializers.IntegerField()
    total = serializers.IntegerField()


class ProvinceArrearsSerializer(ArrearsBucketsSerializer):
    province_code = serializers.CharField()
    name_en = serializers.CharField()
    name_lo = serializers.CharField()


class EmployerArrearsSerializer(ArrearsBucketsSerializer):
    employer_id = serializers.IntegerField()
    nssf_registration_number = serializers.CharField()
    name_en = serializers.CharField()


class ArrearsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    totals = ArrearsBucketsSerializer()
    by_province = ProvinceArrearsSerializer(many=True)
    by_employer = EmployerArrearsSerializer(many=True)


class BillingRunSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True,
                                   help_text=", ".join(BillingRun.Status.values))
    job = serializers.IntegerField(source="job_id", read_only=True, allow_null=True)
    provisional_parameters = serializers.SerializerMethodField()

    class Meta:
        model = BillingRun
        fields = ("id", "kind", "month", "status", "job", "started_at", "finished_at",
                  "number_of_invoices", "number_of_workers", "total_amount", "parameters_used",
                  "provisional_parameters", "message")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_provisional_parameters(self, run: BillingRun) -> list[str]:
        return sorted(name for name, used in (run.parameters_used or {}).items()
                      if isinstance(used, dict) and used.get("provisional"))


class BillingJobSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.CharField()
    month = serializers.CharField()
    progress_url = serializers.CharField()


class InspectionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True,
                                   help_text=", ".join(Inspection.Status.values))
    class Meta:
        model = Inspection
        fields = ("id", "employer", "plan", "risk_score", "status", "planned_on", "visited_on",
                  "closed_on", "outcome")
