"""The registry's staff pages. Thin: they read through the selectors (which apply the scope),
change through the services (which check permission, scope and the fields, and audit), and show
the services' bilingual errors beside the inputs they concern.

Anything outside the user's area answers 404, exactly as if it did not exist; a read-only user
who sends a change answers 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from pakan.accounts.scope import OutOfScope, require_change_permission
from pakan.audit.models import AuditEvent
from pakan.audit.services import record_export
from pakan.registry import services
from pakan.registry.forms import (
    FIELD_LABELS,
    BirthForm,
    CorrectionForm,
    DeathForm,
    HouseholdRegistrationForm,
    ImportForm,
    MarriageForm,
    MemberForm,
    MoveForm,
    PersonRegistrationForm,
    SearchForm,
    ServiceForm,
)
from pakan.registry.importing import start_import
from pakan.registry.models import WASHINGTON_GROUP_DOMAINS, DuplicateCandidate, Person
from pakan.registry.selectors import (
    MAX_RESULTS,
    duplicate_for,
    duplicate_queue,
    duplicates_in_scope,
    household_for,
    household_members,
    households_in_scope,
    households_in_village,
    life_events_of,
    open_person_record,
    person_for,
    person_history,
    search_people,
    village_for,
    villages_in_scope,
)
from pakan.registry.validation import FieldError, RegistryValidationError, error
from pakan.tabular.export import export_response

EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_LIMIT = 100_000
EXPORT_CHUNK = 2_000  # rows fetched at a time while an export streams out
HISTORY_LIMIT = 100
DUPLICATES_PER_PAGE = 20
DECIDED_SHOWN = 50
# Derived or bookkeeping columns that mean nothing to a reader of the history.
HIDDEN_HISTORY_FIELDS = frozenset({
    "id", "given_key_latin", "family_key_latin", "given_key_lo", "family_key_lo",
    "created_at", "updated_at",
})

PERSON_EXPORT_HEADER = (
    "registry_number", "national_id", "family_book_number", "given_name_lo", "family_name_lo",
    "given_name_latin", "family_name_latin", "sex", "date_of_birth", "date_of_death",
    "village_code", "village_name_lo", "village_name_en", "relationship_to_head",
)
HOUSEHOLD_EXPORT_HEADER = (
    "family_book_number", "village_code", "head_registry_number", "head_name_lo",
    "head_name_latin", "member_count",
)
DUPLICATE_EXPORT_HEADER = (
    "pair", "status", "reason", "score",
    "registry_number_1", "national_id_1", "name_lo_1", "name_latin_1", "date_of_birth_1",
    "village_code_1",
    "registry_number_2", "national_id_2", "name_lo_2", "name_latin_2", "date_of_birth_2",
    "village_code_2",
    "decided_by", "decided_at", "decision_note",
)


def registry_page(view: Callable) -> Callable:
    """Registry staff only; whatever lies outside the user's area is simply not found."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_registry_staff:
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except OutOfScope:
            raise Http404 from None

    return login_required(wrapper)


def _export_format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in EXPORT_FORMATS else None


def _not_blank(value: object) -> object:
    return "" if value is None else value


# Search ------------------------------------------------------------------------------------


def _person_export_row(person: Person) -> list:
    return [
        person.pk, _not_blank(person.national_id), person.family_book_number,
        person.given_name_lo, person.family_name_lo, person.given_name_latin,
        person.family_name_latin, person.sex, person.date_of_birth.isoformat(),
        person.date_of_death.isoformat() if person.date_of_death else "",
        person.village.code, person.village.name_lo, person.village.name_en,
        person.relationship_to_head,
    ]


def _audited_export(request: HttpRequest, object_type: str, rows, header, fmt: str,
                    filename: str) -> HttpResponse:
    """Every export of personal data is written to the audit trail with the query behind it."""
    record_export(request.user, object_type, dict(request.GET.items()), note=filename)
    return export_response(rows, header, fmt, filename)


@registry_page
@require_http_methods(["GET"])
def search(request: HttpRequest) -> HttpResponse:
    """One box for an identifier or a name in either script, and an optional village."""
    query = request.GET.get("q", "").strip()[:200]
    village_code = request.GET.get("village", "").strip()[:16]
    fmt = _export_format(request)
    if fmt:
        people = search_people(request.user, query, village_code=village_code,
                               limit=EXPORT_LIMIT)
        return _audited_export(request, "registry.person",
                               (_person_export_row(person) for person in
                                people.iterator(chunk_size=EXPORT_CHUNK)),
                               PERSON_EXPORT_HEADER, fmt, "registry-search")
    form = SearchForm(request.GET or None, villages=villages_in_scope(request.user))
    searched = bool(query or village_code)
    people = list(search_people(request.user, query, village_code=village_code)) \
        if searched else []
    context = {"form": form, "people": people, "searched": searched,
               "truncated": len(people) >= MAX_RESULTS, "max_results": MAX_RESULTS,
               "export_query": request.GET.urlencode()}
    if request.headers.get("HX-Request") == "true":
        return render(request, "registry/_search_results.html", context)
    return render(request, "registry/search.html", context)


# Person ------------------------------------------------------------------------------------


def _death(user, person: Person, form: ServiceForm) -> str:
    problems: list[FieldError] = []
    occurred_on = form.date("occurred_on", problems)
    if problems:
        raise RegistryValidationError(problems)
    services.record_death(user, person, occurred_on=occurred_on)
    return _("The death has been recorded.")


def _move(user, person: Person, form: ServiceForm) -> str:
    problems: list[FieldError] = []
    code = form.required("village_code", problems)
    occurred_on = form.date("occurred_on", problems)
    village = None
    if code:
        try:
            village = services.move_destination(code)
        except RegistryValidationError as problem:
            problems.extend(problem.errors)
    if problems:
        raise RegistryValidationError(problems)
    services.record_move(user, person, village=village, occurred_on=occurred_on,
                         with_household=form.value("with_household") == "on")
    return _("The move has been recorded.")


def _marriage(user, person: Person, form: ServiceForm) -> str:
    problems: list[FieldError] = []
    household = _household_by_book(user, form, "family_book_number", problems, required=True)
    occurred_on = form.date("occurred_on", problems)
    if problems:
        raise RegistryValidationError(problems)
    services.record_marriage(user, person, into_household=household, occurred_on=occurred_on,
                             relationship=form.value("relationship"))
    return _("The marriage has been recorded.")


def _correction(user, person: Person, form: ServiceForm) -> str:
    services.update_person(user, person, form.values())
    return _("The details have been corrected.")


def _household_by_book(user, form: ServiceForm, name: str, problems: list[FieldError],
                       required: bool):
    number = form.value(name)
    if not number:
        if required:
            problems.append(error(name, "required"))
        return None
    try:
        return services.household_by_book(user, number, name)
    except RegistryValidationError as problem:
        problems.extend(problem.errors)
        return None


PERSON_ACTIONS: dict[str, Callable] = {
    "death": _death,
    "move": _move,
    "marriage": _marriage,
    "correct": _correction,
}


def _person_forms(user, person: Person, data=None, action: str = "") -> dict[str, ServiceForm]:
    """The change forms the page shows: none for a read-only user or a retired record."""
    if not user.can_change_registry or person.status != Person.Status.ACTIVE:
        return {}

    def bound(name: str):
        return data if name == action else None

    villages = villages_in_scope(user)
    forms: dict[str, ServiceForm] = {}
    if person.date_of_death is None:
        forms["death"] = DeathForm(bound("death"), prefix="death")
        forms["move"] = MoveForm(bound("move"), prefix="move", villages=villages)
        forms["marriage"] = MarriageForm(bound("marriage"), prefix="marriage")
    forms["correct"] = CorrectionForm.for_person(person, bound("correct"), prefix="correct")
    return forms


def _shown(value: object) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value)


def _history_rows(user, events: Iterable) -> list[dict]:
    """Each audit event with its changes as (field, before, after), village and household ids
    shown as their codes."""
    events = list(events)
    village_ids, household_ids = set(), set()
    for event in events:
        for side in (event.before or {}, event.after or {}):
            if side.get("village_id"):
                village_ids.add(side["village_id"])
            if side.get("household_id"):
                household_ids.add(side["household_id"])
    village_codes = dict(villages_in_scope(user).filter(pk__in=village_ids)
                         .values_list("pk", "code"))
    household_books = dict(households_in_scope(user).filter(pk__in=household_ids)
                           .values_list("pk", "family_book_number"))
    names = {"village_id": village_codes, "household_id": household_books}
    rows = []
    for event in events:
        changes = []
        if event.action != AuditEvent.Action.CREATE:
            before = event.before or {}
            for field, after in (event.after or {}).items():
                if field in HIDDEN_HISTORY_FIELDS:
                    continue
                lookup = names.get(field, {})
                changes.append((FIELD_LABELS.get(field, field),
                                _shown(lookup.get(before.get(field), before.get(field))),
                                _shown(lookup.get(after, after))))
        rows.append({"event": event, "changes": changes})
    return rows


def _person_context(user, person: Person, forms: dict[str, ServiceForm]) -> dict:
    difficulties = [
        (FIELD_LABELS[domain], getattr(person, f"get_{domain}_display")()
         if getattr(person, domain) else None, (getattr(person, domain) or 0) >= 3)
        for domain in WASHINGTON_GROUP_DOMAINS
    ]
    return {
        "person": person,
        "difficulties": difficulties,
        "life_events": life_events_of(person),
        "history": _history_rows(user, person_history(person)[:HISTORY_LIMIT]),
        "history_limit": HISTORY_LIMIT,
        "forms": forms,
    }


@registry_page
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """The full record (its opening is logged), and the forms that change it."""
    user = request.user
    if request.method == "POST":
        require_change_permission(user)
        record = person_for(user, person_id)
        action = request.POST.get("action", "")
        if action not in PERSON_ACTIONS:
            return HttpResponseBadRequest()
        forms = _person_forms(user, record, request.POST, action)
        form = forms.get(action)
        if form is None:  # e.g. a death form sent for someone already dead
            return HttpResponseBadRequest()
        try:
            notice = PERSON_ACTIONS[action](user, record, form)
        except RegistryValidationError as problem:
            form.show_errors(problem.errors)
            context = _person_context(user, record, forms)
            context["open_form"] = action
            return render(request, "registry/person.html", context, status=400)
        messages.success(request, notice)
        return redirect("registry:person", person_id=record.pk)
    record = open_person_record(user, person_id)
    return render(request, "registry/person.html",
                  _person_context(user, record, _person_forms(user, record)))


# Household and village ---------------------------------------------------------------------


def _birth(user, household, form: ServiceForm) -> services.Registration:
    problems: list[FieldError] = []
    born_on = form.date("date_of_birth", problems)
    if problems:
        raise RegistryValidationError(problems)
    fields = form.values()
    del fields["date_of_birth"]
    return services.record_birth(user, fields, household=household, occurred_on=born_on)


def _member(user, household, form: ServiceForm) -> services.Registration:
    return services.register_person(user, form.values(), village=household.village,
                                    household=household)


HOUSEHOLD_ACTIONS: dict[str, Callable] = {"birth": _birth, "member": _member}


def _registered_notice(registration: services.Registration) -> str:
    notice = _("%(name)s has been registered with number %(number)s.") % {
        "name": registration.person.full_name_latin, "number": registration.person.pk}
    if registration.duplicates_queued:
        notice += " " + ngettext(
            "%(count)d possible duplicate was queued for review.",
            "%(count)d possible duplicates were queued for review.",
            registration.duplicates_queued) % {"count": registration.duplicates_queued}
    return notice


@registry_page
@require_http_methods(["GET", "POST"])
def household(request: HttpRequest, household_id: int) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        require_change_permission(user)
    record = household_for(user, household_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = {}
    if user.can_change_registry:
        forms = {
            "birth": BirthForm(request.POST if action == "birth" else None, prefix="birth"),
            "member": MemberForm(request.POST if action == "member" else None, prefix="member"),
        }
    status = 200
    if request.method == "POST":
        if action not in HOUSEHOLD_ACTIONS:
            return HttpResponseBadRequest()
        try:
            registration = HOUSEHOLD_ACTIONS[action](user, record, forms[action])
        except RegistryValidationError as problem:
            forms[action].show_errors(problem.errors)
            status = 400
        else:
            messages.success(request, _registered_notice(registration))
            return redirect("registry:household", household_id=record.pk)
    context = {"household": record, "members": household_members(record), "forms": forms,
               "open_form": action}
    return render(request, "registry/household.html", context, status=status)


def _household_export_row(row) -> list:
    head = row.head
    return [row.family_book_number, row.village.code, head.pk if head else "",
            head.full_name_lo if head else "", head.full_name_latin if head else "",
            row.member_count]


@registry_page
@require_http_methods(["GET"])
def village(request: HttpRequest, code: str) -> HttpResponse:
    place = village_for(request.user, code)
    households = households_in_village(request.user, code).select_related("village")
    fmt = _export_format(request)
    if fmt:
        return _audited_export(request, "registry.household",
                               (_household_export_row(row) for row in
                                households.iterator(chunk_size=EXPORT_CHUNK)),
                               HOUSEHOLD_EXPORT_HEADER, fmt, f"village-{place.code}")
    households = list(households)
    context = {"village": place, "households": households,
               "member_total": sum(row.member_count for row in households)}
    return render(request, "registry/village.html", context)


# Registration ------------------------------------------------------------------------------


def _register_household(user, form: ServiceForm) -> tuple[str, str]:
    problems: list[FieldError] = []
    number = form.required("family_book_number", problems)
    code = form.required("village_code", problems)
    village = None
    if code:
        try:
            village = services.village_by_code(user, code)
        except RegistryValidationError as problem:
            problems.extend(problem.errors)
    if problems:
        raise RegistryValidationError(problems)
    created = services.register_household(user, family_book_number=number, village=village)
    notice = _("Household %(number)s has been registered.") % {
        "number": created.family_book_number}
    return notice, reverse("registry:household", args=[created.pk])


def _register_person(user, form: ServiceForm) -> tuple[str, str]:
    problems: list[FieldError] = []
    joined = _household_by_book(user, form, "family_book_number", problems, required=False)
    code = form.value("village_code")
    village = None
    if code:
        try:
            village = services.village_by_code(user, code)
        except RegistryValidationError as problem:
            problems.extend(problem.errors)
    elif joined is not None:
        village = joined.village
    else:
        problems.append(error("village_code", "required"))
    if problems:
        raise RegistryValidationError(problems)
    fields = form.values()
    fields.pop("village_code")
    fields.pop("family_book_number")
    registration = services.register_person(user, fields, village=village, household=joined)
    return _registered_notice(registration), reverse("registry:person",
                                                     args=[registration.person.pk])


REGISTRATION_ACTIONS: dict[str, Callable] = {
    "household": _register_household,
    "person": _register_person,
}


@registry_page
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Registering a new household and a new person, each through its service."""
    user = request.user
    require_change_permission(user)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    villages = villages_in_scope(user)
    forms = {
        "household": HouseholdRegistrationForm(request.POST if action == "household" else None,
                                               prefix="household", villages=villages),
        "person": PersonRegistrationForm(request.POST if action == "person" else None,
                                         prefix="person", villages=villages),
    }
    status = 200
    if request.method == "POST":
        if action not in REGISTRATION_ACTIONS:
            return HttpResponseBadRequest()
        try:
            notice, target = REGISTRATION_ACTIONS[action](user, forms[action])
        except RegistryValidationError as problem:
            forms[action].show_errors(problem.errors)
            status = 400
        else:
            messages.success(request, notice)
            return redirect(target)
    return render(request, "registry/register.html", {"forms": forms, "open_form": action},
                  status=status)


# Duplicates --------------------------------------------------------------------------------


def _duplicate_export_row(pair: DuplicateCandidate) -> list:
    row = [pair.pk, pair.status, pair.reason, round(pair.score, 3)]
    for record in (pair.person, pair.existing):
        row += [record.pk, _not_blank(record.national_id), record.full_name_lo,
                record.full_name_latin, record.date_of_birth.isoformat(), record.village.code]
    row += [pair.decided_by.username if pair.decided_by else "",
            pair.decided_at.isoformat() if pair.decided_at else "", pair.decision_note]
    return row


@registry_page
@require_http_methods(["GET"])
def duplicates(request: HttpRequest) -> HttpResponse:
    """Pending pairs side by side, and the pairs already decided with who decided them."""
    user = request.user
    fmt = _export_format(request)
    if fmt:
        pairs = duplicates_in_scope(user).order_by("status", "-score", "id")[:EXPORT_LIMIT]
        return _audited_export(request, "registry.duplicatecandidate",
                               (_duplicate_export_row(pair) for pair in
                                pairs.iterator(chunk_size=EXPORT_CHUNK)),
                               DUPLICATE_EXPORT_HEADER, fmt, "possible-duplicates")
    pending = Paginator(duplicate_queue(user), DUPLICATES_PER_PAGE).get_page(
        request.GET.get("page"))
    decided = duplicates_in_scope(user).exclude(
        status=DuplicateCandidate.Status.PENDING).order_by("-decided_at", "-id")[:DECIDED_SHOWN]
    context = {"pending": pending, "decided": decided, "can_change": user.can_change_registry}
    return render(request, "registry/duplicates.html", context)


@registry_page
@require_POST
def decide_duplicate(request: HttpRequest, candidate_id: int) -> HttpResponse:
    user = request.user
    require_change_permission(user)
    pair = duplicate_for(user, candidate_id)
    note = request.POST.get("note", "")[:2000]
    decision = "merge" if request.POST.get("keep") else request.POST.get("decision", "")
    try:
        if decision == "merge":
            keep_id = request.POST.get("keep", "")
            if keep_id not in (str(pair.person_id), str(pair.existing_id)):
                return HttpResponseBadRequest()
            keep = pair.person if keep_id == str(pair.person_id) else pair.existing
            services.merge_duplicate(user, pair, keep=keep, note=note)
            messages.success(request, _("The two records have been merged into number "
                                        "%(number)s.") % {"number": keep.pk})
        elif decision == "apart":
            services.keep_apart(user, pair, note=note)
            messages.success(request, _("The two records are kept apart."))
        else:
            return HttpResponseBadRequest()
    except RegistryValidationError as problem:
        for item in problem.errors:
            messages.error(request, f"{item.reason_lo} / {item.reason_en}")
    return redirect(reverse("registry:duplicates") + (
        f"?page={request.POST['page']}" if request.POST.get("page", "").isdigit() else ""))


# Import ------------------------------------------------------------------------------------


@registry_page
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or XLSX file of people or households; the import runs as a job."""
    user = request.user
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[FieldError] = []
    if request.method == "POST":
        require_change_permission(user)
        uploaded = request.FILES.get("file")
        kind = request.POST.get("kind", "")
        if kind not in dict(ImportForm.KIND_CHOICES):
            return HttpResponseBadRequest()
        if uploaded is None:
            problems.append(error("file", "required"))
        else:
            try:
                job = start_import(uploaded, kind, user)
            except RegistryValidationError as problem:
                problems.extend(problem.errors)
            else:
                return redirect("jobs:detail", job_id=job.pk)
    return render(request, "registry/import.html", {"form": form, "problems": problems},
                  status=400 if problems else 200)
