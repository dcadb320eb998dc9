"""The pension payroll's API under /api/v1/benefits/payroll/."""

from django.urls import path

from pakan.benefits import api_payroll

urlpatterns = [
    path("runs/", api_payroll.PayrollRunsView.as_view(), name="benefit-payroll-runs"),
    path("runs/<str:month>/", api_payroll.PayrollRunView.as_view(), name="benefit-payroll-run"),
]
