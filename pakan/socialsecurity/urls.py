"""The fund's pages: officers under /fund/, the employer portal under /fund/portal/, the
member's self-service under /fund/me/."""

from django.urls import path

from pakan.socialsecurity.views import (
    arrears,
    billing,
    declarations,
    employers,
    inspections,
    members,
    payments,
    portal,
    statements,
    voluntary,
)

app_name = "socialsecurity"

urlpatterns = [
    path("employers/", employers.employer_list, name="employers"),
    path("employers/register/", employers.register_employer, name="register_employer"),
    path("employers/<int:employer_id>/", employers.employer_record, name="employer"),
    path("employers/<int:employer_id>/statement/", statements.employer_statement,
         name="employer_statement"),
    path("members/", members.member_list, name="members"),
    path("members/<int:member_id>/", members.member_record, name="member"),
    path("declarations/", declarations.declaration_list, name="declarations"),
    path("declarations/<int:declaration_id>/", declarations.declaration_detail,
         name="declaration"),
    path("billing/", billing.run_list, name="billing"),
    path("billing/<str:month>/", billing.run_month, name="billing_month"),
    path("invoices/", billing.invoice_list, name="invoices"),
    path("payments/", payments.payment_list, name="payments"),
    path("payments/import/", payments.import_statement, name="import_statement"),
    path("payments/unidentified/", payments.unidentified, name="unidentified"),
    path("payments/unidentified/<int:payment_id>/assign/", payments.assign, name="assign"),
    path("arrears/", arrears.arrears, name="arrears"),
    path("arrears/agreements/", arrears.agreements, name="agreements"),
    path("voluntary/", voluntary.enrolments, name="voluntary"),
    path("compliance/", inspections.compliance, name="compliance"),
    path("inspections/", inspections.inspection_list, name="inspections"),
    path("inspections/<int:inspection_id>/", inspections.inspection_case, name="inspection"),
    # The employer portal: the enterprise is the account's own, never taken from the address.
    path("portal/", portal.dashboard, name="portal"),
    path("portal/declare/", portal.declare, name="portal_declare"),
    path("portal/declarations/", portal.declarations, name="portal_declarations"),
    path("portal/declarations/<int:declaration_id>/", portal.declaration,
         name="portal_declaration"),
    path("portal/invoices/", portal.invoices, name="portal_invoices"),
    path("portal/payments/", portal.payments, name="portal_payments"),
    path("portal/statement/", portal.statement, name="portal_statement"),
    # The insured member's self-service.
    path("me/", portal.member_home, name="member_home"),
]
