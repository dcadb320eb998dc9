"""Claim pages: the officers' queue, filing, the claim's page (checks, documents, the rules'
explanation, steps, the decision and appeal forms), and the insured person's own claims under
/benefits/me/ (mobile-first). Thin: every change is a service of services/claims.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from pakan.audit.services import record_view
from pakan.benefits.forms_claims import (
    AppealForm,
    ClaimFilingForm,
    ClaimFilterForm,
    DecisionForm,
    DocumentForm,
    WithdrawForm,
)
from pakan.benefits.models import Bank, Claim, ClaimDocument
from pakan.benefits.selectors import claims as claim_selectors
from pakan.benefits.services import claims as claim_services
from pakan.benefits.validation import error
from pakan.registry.forms import ServiceForm
from pakan.registry.validation import FieldError, RegistryValidationError
from pakan.socialsecurity.models import InsuredMember
from pakan.socialsecurity.views.common import (
    audited_export,
    export_format,
    member_page,
    officer_page,
    page_of,
    parse_day,
    query_without_page,
    stream,
)

CLAIM_EXPORT_HEADER = ("number", "social_security_number", "member_name_latin",
                       "claimant_registry_number", "branch", "event_date", "filed_on", "channel",
                       "status", "decided_on", "rejection_reason", "village_code")
CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                 ".png": "image/png"}


def claim_export_row(claim: Claim) -> list:
    person = claim.member.person
    return [claim.number, claim.member.social_security_number, person.full_name_latin,
            claim.claimant_id, claim.branch, claim.event_date, claim.filed_on, claim.channel,
            claim.status, claim.decided_on, claim.rejection_reason, person.village.code]


def upload_of(uploaded: UploadedFile | None, kind: str) -> claim_services.DocumentUpload | None:
    """A page's upload as the service takes it; read no further than the size limit."""
    if uploaded is None:
        return None
    content = uploaded.read(claim_services.MAX_DOCUMENT_BYTES + 1)
    return claim_services.DocumentUpload(kind=kind, name=uploaded.name or "", content=content)


def _attempt(form: ServiceForm, action: Callable[[], object]) -> bool:
    """Run a service; its refusal goes to the form. True when it went through."""
    try:
        action()
    except RegistryValidationError as problem:
        form.show_errors(problem.errors)
        return False
    return True


# --- the officers' pages ----------------------------------------------------------------------

@officer_page
@require_http_methods(["GET"])
def claim_list(request: HttpRequest) -> HttpResponse:
    """The queue: open claims oldest first, filtered by status, benefit and district."""
    districts = claim_selectors.districts_in_scope(request.user)
    form = ClaimFilterForm(request.GET or None, districts=districts)
    member_id = request.GET.get("member", "")
    claims = claim_selectors.filter_claims(
        request.user, status=request.GET.get("status", ""),
        branch=request.GET.get("branch", ""), district=request.GET.get("district", ""),
        member_id=int(member_id) if member_id.isdigit() else None)
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "benefits.claim",
                              (claim_export_row(claim) for claim in stream(claims)),
                              CLAIM_EXPORT_HEADER, fmt, "benefit-claims")
    return render(request, "benefits/claims.html",
                  {"form": form, "page": page_of(request, claims),
                   "query": query_without_page(request)})


def _filing_problems(request: HttpRequest, form: ClaimFilingForm) -> tuple[dict,
                                                                           list[FieldError]]:
    """What the page itself must find before the service: the insured person and the
    claimant named by number, and a well-formed date."""
    problems: list[FieldError] = []
    found = claim_selectors.find_insured(request.user, form.value("member"))
    if found is None:
        problems.append(error("member", "claim_unknown_member" if form.value("member")
                              else "claim_required"))
    claimant = None
    if form.value("claimant") and isinstance(found, InsuredMember):
        claimant = claim_selectors.find_claimant(request.user, found, form.value("claimant"))
        if claimant is None:
            problems.append(error("claimant", "claim_unknown_person"))
    event_date = parse_day(form.value("event_date"))
    if event_date is None:
        problems.append(error("event_date", "claim_bad_date" if form.value("event_date")
                              else "claim_required"))
    return {"member": found, "claimant": claimant, "event_date": event_date}, problems


def _documents_of(request: HttpRequest, form: ServiceForm, kind_field: str,
                  file_field: str) -> list[claim_services.DocumentUpload]:
    upload = upload_of(request.FILES.get(file_field), form.value(kind_field))
    return [upload] if upload is not None else []


@officer_page
@require_http_methods(["GET", "POST"])
def file_claim(request: HttpRequest) -> HttpResponse:
    form = ClaimFilingForm(request.POST or None, request.FILES or None,
                           initial={"member": request.GET.get("member", "")})
    status = 200
    if request.method == "POST":
        named, problems = _filing_problems(request, form)
        try:
            if problems:
                raise RegistryValidationError(problems)
            claim = claim_services.file_claim(
                request.user, member=named["member"], claimant=named["claimant"],
                branch=form.value("branch"), event_date=named["event_date"],
                facts=form.facts(), channel=Claim.Channel.OFFICE,
                bank=form.value("bank") or Bank.CASH, bank_account=form.value("bank_account"),
                documents=_documents_of(request, form, "document_kind", "document"))
        except RegistryValidationError as problem:
            form.show_errors(problem.errors)
            status = 400
        else:
            messages.success(request, _("The claim has been filed."))
            return redirect("benefits:claim", claim_id=claim.pk)
    return render(request, "benefits/claim_file.html", {"form": form}, status=status)


def _claim_forms(request: HttpRequest, claim: Claim) -> dict[str, ServiceForm]:
    posted = request.POST.get("action", "") if request.method == "POST" else ""

    def bound(name: str, form_class, **extra) -> ServiceForm:
        data = (request.POST, request.FILES) if posted == name else (None, None)
        return form_class(*data, prefix=name, **extra)

    return {"document": bound("document", DocumentForm),
            "decide": bound("decide", DecisionForm, initial={"bank": claim.bank,
                                                             "bank_account":
                                                             claim.bank_account}),
            "appeal": bound("appeal", AppealForm), "withdraw": bound("withdraw", WithdrawForm)}


def _decide(request: HttpRequest, claim: Claim, form: DecisionForm) -> None:
    outcome = form.value("outcome")
    if outcome not in ("approve", "reject"):
        raise RegistryValidationError([error("outcome", "claim_bad_outcome")])
    details = {"note": form.value("decision_note")}
    approve = outcome == "approve"
    if approve:
        details |= {"bank": form.value("bank") or None,
                    "bank_account": form.value("bank_account")}
    else:
        details["reason"] = form.value("rejection_reason")
    if claim.status == Claim.Status.APPEALED:
        claim_services.redecide_claim(request.user, claim, approve=approve, **details)
    elif approve:
        claim_services.approve_claim(request.user, claim, **details)
    else:
        claim_services.reject_claim(request.user, claim, **details)


def _run_action(request: HttpRequest, claim: Claim, forms: dict[str, ServiceForm],
                action: str) -> bool:
    form = forms[action]
    services = {
        "document": lambda: claim_services.add_document(
            request.user, claim, upload_of(request.FILES.get(f"{action}-file"),
                                           form.value("kind"))
            or _no_file()),
        "decide": lambda: _decide(request, claim, form),
        "appeal": lambda: claim_services.appeal_claim(request.user, claim,
                                                      grounds=form.value("grounds")),
        "withdraw": lambda: claim_services.withdraw_claim(request.user, claim,
                                                          reason=form.value("reason")),
    }
    return _attempt(form, services[action])


def _no_file():
    raise RegistryValidationError([error("file", "claim_required")])


DONE_MESSAGES = {
    "document": gettext_lazy("The document has been added."),
    "decide": gettext_lazy("The decision has been recorded."),
    "appeal": gettext_lazy("The appeal has been recorded."),
    "withdraw": gettext_lazy("The claim has been withdrawn."),
}


def _handle_post(request: HttpRequest, claim: Claim, forms: dict, redirect_to: str
                 ) -> HttpResponse | None:
    action = request.POST.get("action", "")
    if action not in forms:
        return None
    if _run_action(request, claim, forms, action):
        messages.success(request, DONE_MESSAGES[action])
        return redirect(redirect_to, claim_id=claim.pk)
    return None


def claim_context(claim: Claim, forms: dict, open_form: str = "") -> dict:
    return {
        "claim": claim, "member": claim.member, "person": claim.member.person,
        "claimant": claim.claimant, "checks": claim.checks, "explanation": claim.assessment,
        "documents": claim_selectors.documents_of(claim),
        "steps": claim_selectors.steps_of(claim), "awards": claim.awards.order_by("id"),
        "forms": forms, "open_form": open_form,
        "appeal_deadline": claim_services.appeal_deadline(claim) if claim.decided_on else None,
        "failed_checks": sum(1 for entry in claim.checks if not entry.get("passed")),
    }


@officer_page
@require_http_methods(["GET", "POST"])
def claim_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_selectors.claim_for(request.user, claim_id)
    forms = _claim_forms(request, claim)
    status = 200
    if request.method == "POST":
        response = _handle_post(request, claim, forms, "benefits:claim")
        if response is not None:
            return response
        status = 400
        claim.refresh_from_db()
    else:
        record_view(request.user, claim)
    context = claim_context(claim, forms, request.POST.get("action", ""))
    context["may_decide"] = (request.user.can_change_registry
                             and request.user.pk != claim.filed_by_id)
    return render(request, "benefits/claim.html", context, status=status)


def document_response(request: HttpRequest, document: ClaimDocument) -> FileResponse:
    """A claim's document, opened as a download; who opened it is logged."""
    record_view(request.user, document)
    extension = PurePath(document.original_name).suffix.lower()
    return FileResponse(document.file.open("rb"), as_attachment=True,
                        filename=document.original_name,
                        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))


@officer_page
@require_http_methods(["GET"])
def claim_document(request: HttpRequest, claim_id: int, document_id: int) -> FileResponse:
    return document_response(request, claim_selectors.document_for(request.user, claim_id,
                                                                   document_id))


# --- the insured person's own pages (/benefits/me/) -------------------------------------------

@member_page
@require_http_methods(["GET"])
def my_claims(request: HttpRequest, member: InsuredMember) -> HttpResponse:
    claims = claim_selectors.claims_in_scope(request.user).order_by("-filed_on", "-id")
    return render(request, "benefits/claim_my_list.html",
                  {"member": member, "person": member.person, "page": page_of(request, claims),
                   "query": "", "unread": claim_selectors.notifications_of(request.user)
                   .filter(read_at__isnull=True).count()})


@member_page
@require_http_methods(["GET", "POST"])
def my_file_claim(request: HttpRequest, member: InsuredMember) -> HttpResponse:
    form = ClaimFilingForm(request.POST or None, request.FILES or None, for_member=True)
    status = 200
    if request.method == "POST":
        event_date = parse_day(form.value("event_date"))
        try:
            if event_date is None:
                raise RegistryValidationError([error(
                    "event_date", "claim_bad_date" if form.value("event_date")
                    else "claim_required")])
            claim = claim_services.file_claim(
                request.user, member=member, branch=form.value("branch"),
                event_date=event_date, facts=form.facts(),
                channel=Claim.Channel.SELF_SERVICE, bank=form.value("bank") or Bank.CASH,
                bank_account=form.value("bank_account"),
                documents=_documents_of(request, form, "document_kind", "document"))
        except RegistryValidationError as problem:
            form.show_errors(problem.errors)
            status = 400
        else:
            messages.success(request, _("Your claim has been sent."))
            return redirect("benefits:my_claim", claim_id=claim.pk)
    return render(request, "benefits/claim_my_file.html", {"form": form, "member": member},
                  status=status)


@member_page
@require_http_methods(["GET", "POST"])
def my_claim(request: HttpRequest, member: InsuredMember, claim_id: int) -> HttpResponse:
    claim = claim_selectors.claim_for(request.user, claim_id)
    forms = _claim_forms(request, claim)
    del forms["decide"]
    status = 200
    if request.method == "POST":
        response = _handle_post(request, claim, forms, "benefits:my_claim")
        if response is not None:
            return response
        status = 400
        claim.refresh_from_db()
    context = claim_context(claim, forms, request.POST.get("action", ""))
    context["is_claimant"] = claim.claimant_id == member.person_id
    return render(request, "benefits/claim_my.html", context, status=status)


@member_page
@require_http_methods(["GET"])
def my_claim_document(request: HttpRequest, member: InsuredMember, claim_id: int,
                      document_id: int) -> FileResponse:
    return document_response(request, claim_selectors.document_for(request.user, claim_id,
                                                                   document_id))


@member_page
@require_http_methods(["GET"])
def my_notifications(request: HttpRequest, member: InsuredMember) -> HttpResponse:
    notices = claim_selectors.notifications_of(request.user)
    page = page_of(request, notices)
    response = render(request, "benefits/claim_notifications.html",
                      {"member": member, "page": page, "query": ""})
    claim_services.mark_read(request.user, [notice.pk for notice in page.object_list])
    return response
