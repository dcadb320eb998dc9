"""The registry's REST API: search and read people and households, register them, record life
events. Each view parses with a serializer, calls one service or selector, and answers; scope
and the registry's rules live in those, not here.

Errors always have one shape, {"errors": [{"field", "code", "reason_en", "reason_lo"}]}:
400 for bad input, 401 without a valid token, 403 for a role that may not do this, 404 for
anything outside the caller's scope — the same answer as for an id that does not exist.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from pakan.accounts.scope import OutOfScope
from pakan.registry import selectors, services
from pakan.registry.models import AdminUnit, Household, LifeEvent, Person, Relationship
from pakan.registry.serializers import (
    BirthInput,
    ErrorResponse,
    HouseholdInput,
    HouseholdSerializer,
    LifeEventInput,
    LifeEventResult,
    PeopleQuery,
    PersonDetailSerializer,
    PersonInput,
    PersonSummarySerializer,
    RegistrationSerializer,
    VillageQuery,
    VillageSerializer,
    api_error,
    errors_from_detail,
)
from pakan.registry.validation import FieldError, RegistryValidationError, clean_person_fields

# --- errors ----------------------------------------------------------------------------------

def error_body(errors: list[FieldError]) -> dict:
    return {"errors": [dataclasses.asdict(error) for error in errors]}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler (status codes, WWW-Authenticate, Retry-After), answering in the registry's
    bilingual error shape. Out of scope is told as not found, so nothing leaks."""
    if isinstance(exc, RegistryValidationError):
        set_rollback()
        return Response(error_body(exc.errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, OutOfScope | Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = errors_from_detail(exc.detail)
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        errors = [api_error(None, code, str(exc.detail))]
    response.data = error_body(errors)
    return response


ERRORS = {
    400: OpenApiResponse(ErrorResponse, description="Bad input: each error names its field."),
    401: OpenApiResponse(ErrorResponse, description="No valid token or session."),
    403: OpenApiResponse(ErrorResponse, description="The account's role may not do this."),
    404: OpenApiResponse(ErrorResponse, description="Not found, or outside the caller's scope "
                                                    "(the two are not told apart)."),
}


def error_responses(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


# --- the shared view -------------------------------------------------------------------------

class RegistryPermission(BasePermission):
    """Reading needs a staff account with a scope; writing also a role that may change the
    registry (not an auditor). Services check the same again, row by row."""

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_registry_staff):
            return False
        return request.method in SAFE_METHODS or user.can_change_registry


class RegistryAPIView(GenericAPIView):
    permission_classes = [RegistryPermission]
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return api_exception_handler


def parse(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- people ----------------------------------------------------------------------------------

REFERENCE_FIELDS = ("village_code", "household")


def _place_of_registration(user, data: dict) -> tuple[Household | None, AdminUnit]:
    """The household (optional, in scope) and village a new person is registered into."""
    code = (data.get("village_code") or "").strip()
    household = None
    if data.get("household") is not None:
        try:
            household = selectors.household_for(user, data["household"])
        except OutOfScope:
            raise RegistryValidationError([api_error("household", "unknown_household_id")]
                                          ) from None
    if household is None:
        if not code:
            raise RegistryValidationError([api_error("village_code", "required")])
        return None, services.village_by_code(user, code)
    if code and code != household.village.code:
        raise RegistryValidationError([api_error("village_code", "household_in_other_village")])
    return household, household.village


def _register(user, data: dict) -> services.Registration:
    fields = {name: value for name, value in data.items() if name not in REFERENCE_FIELDS}
    try:
        household, village = _place_of_registration(user, data)
    except RegistryValidationError as refused:
        # Report the person's own mistakes in the same answer, not one round later.
        _, field_errors = clean_person_fields(fields, timezone.localdate())
        raise RegistryValidationError(refused.errors + field_errors) from None
    return services.register_person(user, fields, village=village, household=household)


class PeopleView(RegistryAPIView):
    @extend_schema(
        operation_id="people_search", tags=["people"], parameters=[PeopleQuery],
        summary="Search people in the caller's scope",
        description="By national ID, family-book number or registry number, or by name words "
                    "in Lao or Latin letters (spelling variants match). At most 200 matches.",
        responses={200: PersonSummarySerializer(many=True), **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        query = parse(PeopleQuery, request.query_params)
        people = selectors.search_people(request.user, query["q"], village_code=query["village"])
        page = self.paginate_queryset(people)
        return self.get_paginated_response(PersonSummarySerializer(page, many=True).data)

    @extend_schema(
        operation_id="people_register", tags=["people"], request=PersonInput,
        summary="Register a person",
        description="A likely duplicate (same national ID; or close name, same birth date and "
                    "sex in the same district) is registered and queued for review; "
                    "duplicates_queued tells how many pairs were queued.",
        responses={201: RegistrationSerializer, **error_responses(400, 401, 403)})
    def post(self, request: Request) -> Response:
        registration = _register(request.user, parse(PersonInput, request.data))
        return Response(RegistrationSerializer(registration).data,
                        status=status.HTTP_201_CREATED)


class PersonView(RegistryAPIView):
    @extend_schema(
        operation_id="person_read", tags=["people"], summary="Read a person's full record",
        description="With the household and life events. The opening is logged in the audit "
                    "trail.",
        responses={200: PersonDetailSerializer, **error_responses(401, 403, 404)})
    def get(self, request: Request, person_id: int) -> Response:
        person = selectors.open_person_record(request.user, person_id)
        context = {"life_events": selectors.life_events_of(person)}
        return Response(PersonDetailSerializer(person, context=context).data)


def _record_life_event(user, person: Person, data: dict) -> LifeEvent:
    kind, occurred_on = data["kind"], data["occurred_on"]
    if kind == LifeEvent.Kind.DEATH:
        return services.record_death(user, person, occurred_on=occurred_on)
    if kind == LifeEvent.Kind.MOVE:
        village = services.move_destination(data["village_code"])
        return services.record_move(user, person, village=village, occurred_on=occurred_on,
                                    with_household=data["with_household"])
    household = services.household_by_book(user, data["family_book_number"])
    return services.record_marriage(
        user, person, into_household=household, occurred_on=occurred_on,
        relationship=(data.get("relationship_to_head") or "").strip() or Relationship.SPOUSE)


class PersonEventsView(RegistryAPIView):
    @extend_schema(
        operation_id="person_record_event", tags=["people"], request=LifeEventInput,
        summary="Record a death, a move or a marriage",
        description="move needs village_code (any village; with_household moves the household "
                    "too); marriage needs the family_book_number of the household joined. "
                    "Births are recorded on the household.",
        responses={201: LifeEventResult, **error_responses(400, 401, 403, 404)})
    def post(self, request: Request, person_id: int) -> Response:
        person = selectors.person_for(request.user, person_id)
        event = _record_life_event(request.user, person, parse(LifeEventInput, request.data))
        return Response(LifeEventResult({"event": event}).data, status=status.HTTP_201_CREATED)


# --- households and villages -----------------------------------------------------------------

def household_body(household: Household) -> dict:
    context = {"members": selectors.household_members(household)}
    return HouseholdSerializer(household, context=context).data


class HouseholdsView(RegistryAPIView):
    @extend_schema(
        operation_id="household_register", tags=["households"], request=HouseholdInput,
        summary="Register a household (a family book) in a village",
        responses={201: HouseholdSerializer, **error_responses(400, 401, 403)})
    def post(self, request: Request) -> Response:
        data = parse(HouseholdInput, request.data)
        village = services.village_by_code(request.user, data["village_code"].strip())
        household = services.register_household(
            request.user, family_book_number=data["family_book_number"], village=village)
        return Response(household_body(household), status=status.HTTP_201_CREATED)


class HouseholdView(RegistryAPIView):
    @extend_schema(
        operation_id="household_read", tags=["households"],
        summary="Read a household and its members",
        responses={200: HouseholdSerializer, **error_responses(401, 403, 404)})
    def get(self, request: Request, household_id: int) -> Response:
        return Response(household_body(selectors.household_for(request.user, household_id)))


class BirthsView(RegistryAPIView):
    @extend_schema(
        operation_id="household_record_birth", tags=["households"], request=BirthInput,
        summary="Record a birth into a household",
        description="The child is registered in the household's village with occurred_on as "
                    "date of birth (relationship child unless given).",
        responses={201: RegistrationSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request: Request, household_id: int) -> Response:
        household = selectors.household_for(request.user, household_id)
        data = parse(BirthInput, request.data)
        occurred_on = data.pop("occurred_on")
        registration = services.record_birth(request.user, data, household=household,
                                             occurred_on=occurred_on)
        return Response(RegistrationSerializer(registration).data,
                        status=status.HTTP_201_CREATED)


class VillagesView(RegistryAPIView):
    @extend_schema(
        operation_id="villages_list", tags=["places"], parameters=[VillageQuery],
        summary="Villages in the caller's scope",
        responses={200: VillageSerializer(many=True), **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        district = parse(VillageQuery, request.query_params)["district"]
        villages = selectors.villages_in_scope(request.user).select_related("parent__parent")
        if district:
            villages = villages.filter(parent__code=district)
        page = self.paginate_queryset(villages)
        return self.get_paginated_response(VillageSerializer(page, many=True).data)
