"""The fund's API under /api/v1/fund/."""

from django.urls import path

from pakan.socialsecurity import api

app_name = "socialsecurity-api"

urlpatterns = [
    path("employers/", api.EmployersView.as_view(), name="employers"),
    path("employers/<int:employer_id>/", api.EmployerView.as_view(), name="employer"),
    path("employers/<int:employer_id>/statement/", api.StatementView.as_view(),
         name="statement"),
    path("members/", api.MembersView.as_view(), name="members"),
    path("members/<int:member_id>/", api.MemberView.as_view(), name="member"),
    path("declarations/", api.DeclarationsView.as_view(), name="declarations"),
    path("declarations/<int:declaration_id>/", api.DeclarationView.as_view(),
         name="declaration"),
    path("invoices/", api.InvoicesView.as_view(), name="invoices"),
    path("payments/", api.PaymentsView.as_view(), name="payments"),
    path("arrears/", api.ArrearsView.as_view(), name="arrears"),
    path("billing-runs/", api.BillingRunsView.as_view(), name="billing-runs"),
    path("inspections/", api.InspectionsView.as_view(), name="inspections"),
]
