"""The pension payroll's pages under /benefits/payroll/."""

from django.urls import path

from pakan.benefits.views import payroll

urlpatterns = [
    path("", payroll.run_list, name="payroll"),
    path("returns/", payroll.import_returns, name="payroll_returns"),
    path("returns/<int:file_id>/", payroll.returned_file, name="payroll_returned_file"),
    path("files/<int:file_id>/", payroll.bank_file, name="payroll_bank_file"),
    path("lines/<int:line_id>/pay-again/", payroll.pay_again, name="payroll_pay_again"),
    path("<str:month>/", payroll.run_month, name="payroll_run"),
    path("<str:month>/register.<str:fmt>", payroll.register, name="payroll_register"),
]
