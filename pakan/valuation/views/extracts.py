"""The data extracts a fund valuation can start from: the list, and starting a new one (the
extract itself is made by pakan.valuation.extract, another part of issue 5)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pakan.valuation import selectors
from pakan.valuation.messages import RegistryValidationError
from pakan.valuation.services.extract_inputs import start_extract
from pakan.valuation.views.common import show_refusal, valuation_page


@valuation_page
@require_http_methods(["GET", "POST"])
def extracts(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            job = start_extract(request.user, request.POST.get("valuation_date", ""))
        except RegistryValidationError as refusal:
            show_refusal(request, refusal)
            return redirect("valuation:extracts")
        messages.success(request, _("The extract has started."))
        return redirect("jobs:detail", job.pk)
    return render(request, "valuation/extracts.html", {
        "extracts": selectors.extracts(request.user),
    })
