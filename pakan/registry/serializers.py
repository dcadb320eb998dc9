"""The registry API's request and response shapes, and its errors in Lao and English.

Request serializers only check that each field is present and of the right type; the rules of
the registry (names, dates, identifiers, scope) stay in the services, which answer with the same
bilingual error catalogue (pakan.registry.validation). So a client sees one error shape —
{"errors": [{"field", "code", "reason_en", "reason_lo"}]} — whichever layer refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from pakan.registry.models import (
    WASHINGTON_GROUP_DOMAINS,
    AdminUnit,
    Household,
    LifeEvent,
    Person,
    Relationship,
)
from pakan.registry.validation import MESSAGES, FieldError, parse_date

# Codes the API adds to the registry's catalogue: DRF's generic complaints, written once in
# both languages. code: (English, Lao).
API_MESSAGES: dict[str, tuple[str, str]] = {
    "not_text": ("Must be text.", "ຕ້ອງເປັນຂໍ້ຄວາມ."),
    "not_integer": ("Must be a whole number.", "ຕ້ອງເປັນຈຳນວນເຕັມ."),
    "not_boolean": ("Must be true or false.", "ຕ້ອງແມ່ນ true ຫຼື false."),
    "unknown_field": ("Unknown field.", "ບໍ່ຮູ້ຈັກຊ່ອງຂໍ້ມູນນີ້."),
    "not_an_object": ("The request body must be a JSON object.",
                      "ເນື້ອໃນຂອງຄຳຮ້ອງຕ້ອງເປັນ JSON object."),
    "parse_error": ("The request body is not valid JSON.",
                    "ເນື້ອໃນຂອງຄຳຮ້ອງບໍ່ແມ່ນ JSON ທີ່ຖືກຕ້ອງ."),
    "unsupported_media_type": ("Send the body as JSON (Content-Type: application/json).",
                               "ກະລຸນາສົ່ງເນື້ອໃນເປັນ JSON (Content-Type: application/json)."),
    "bad_event_kind": (
        "Kind must be death, move or marriage (a birth is recorded on the household: "
        "POST /api/v1/households/<id>/births/).",
        "ປະເພດຕ້ອງແມ່ນ death, move ຫຼື marriage (ການເກີດ ບັນທຶກຢູ່ຄົວເຮືອນ: "
        "POST /api/v1/households/<id>/births/)."),
    "unknown_household_id": ("No household with this id in your area.",
                             "ບໍ່ພົບຄົວເຮືອນທີ່ມີລະຫັດນີ້ໃນເຂດຂອງທ່ານ."),
    "household_in_other_village": (
        "The household lives in another village: give its village code, or leave "
        "village_code out.",
        "ຄົວເຮືອນນີ້ຢູ່ບ້ານອື່ນ: ກະລຸນາໃສ່ລະຫັດບ້ານຂອງຄົວເຮືອນ ຫຼື ບໍ່ຕ້ອງໃສ່ village_code."),
    "not_authenticated": ("Sign in first: send the header 'Authorization: Token <key>'.",
                          "ກະລຸນາເຂົ້າສູ່ລະບົບກ່ອນ: ສົ່ງ header 'Authorization: Token <key>'."),
    "authentication_failed": ("The token is not valid.", "Token ບໍ່ຖືກຕ້ອງ."),
    "permission_denied": ("You are not allowed to do this.", "ທ່ານບໍ່ມີສິດເຮັດສິ່ງນີ້."),
    "not_found": ("Not found.", "ບໍ່ພົບຂໍ້ມູນ."),
    "method_not_allowed": ("This method is not allowed here.",
                           "ບໍ່ອະນຸຍາດໃຫ້ໃຊ້ວິທີນີ້ຢູ່ທີ່ນີ້."),
    "not_acceptable": ("Cannot answer in the requested format.",
                       "ບໍ່ສາມາດຕອບໃນຮູບແບບທີ່ຮ້ອງຂໍໄດ້."),
    "throttled": ("Too many failed sign-in attempts. Try again later.",
                  "ເຂົ້າສູ່ລະບົບຜິດຫຼາຍເທື່ອເກີນໄປ. ກະລຸນາລອງໃໝ່ພາຍຫຼັງ."),
    "max_length": ("Too long.", "ຍາວເກີນໄປ."),
    "invalid_credentials": ("Wrong username or password.",
                            "ຊື່ຜູ້ໃຊ້ ຫຼື ລະຫັດຜ່ານບໍ່ຖືກຕ້ອງ."),
}
# DRF codes that mean the same as a registry code.
CODE_ALIASES = {"blank": "required", "null": "required", "does_not_exist": "unknown_household"}
# For a DRF code nobody wrote a message for: its own English text, and this in Lao.
FALLBACK_LAO = "ຂໍ້ມູນບໍ່ຖືກຕ້ອງ."


def api_error(field: str | None, code: str, english_fallback: str = "") -> FieldError:
    """One error in both languages, from the API's catalogue or the registry's."""
    code = CODE_ALIASES.get(code, code)
    english, lao = API_MESSAGES.get(code) or MESSAGES.get(code) or (english_fallback,
                                                                     FALLBACK_LAO)
    return FieldError(field, code, english, lao)


def errors_from_detail(detail, field: str | None = None) -> list[FieldError]:
    """Flatten DRF's nested error detail ({field: [ErrorDetail]}) into the registry's list."""
    if isinstance(detail, Mapping):
        errors: list[FieldError] = []
        for key, value in detail.items():
            name = None if key == api_settings.NON_FIELD_ERRORS_KEY else str(key)
            errors += errors_from_detail(value, f"{field}.{name}" if field and name else
                                         name or field)
        return errors
    if isinstance(detail, list):
        return [error for item in detail for error in errors_from_detail(item, field)]
    return [api_error(field, getattr(detail, "code", "invalid"), str(detail))]


# --- field types -----------------------------------------------------------------------------

class StrictCharField(serializers.CharField):
    """Text only: a number or a list where text belongs is refused, not turned into text."""

    default_error_messages = {"not_text": API_MESSAGES["not_text"][0]}

    def __init__(self, **options) -> None:
        options.setdefault("allow_blank", True)  # blank is the registry rules' call (required)
        super().__init__(**options)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.DATE)
class IsoDateTextField(StrictCharField):
    """A date as YYYY-MM-DD text, left for the registry rules to read (so that all errors of a
    person come back together)."""


@extend_schema_field(OpenApiTypes.DATE)
class IsoDateField(StrictCharField):
    """A date as YYYY-MM-DD and nothing else (not 20240131, not 31/01/2024)."""

    default_error_messages = {"bad_date": MESSAGES["bad_date"][0]}

    def __init__(self, **options) -> None:
        options.setdefault("allow_blank", False)
        super().__init__(**options)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        value, errors = parse_date(self.field_name, text)
        if errors:
            self.fail("bad_date")
        if value is None:
            self.fail("required")
        return value


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"not_integer": API_MESSAGES["not_integer"][0]}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("not_integer")
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            self.fail("not_integer")


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"not_boolean": API_MESSAGES["not_boolean"][0]}

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            self.fail("not_boolean")


class InputSerializer(serializers.Serializer):
    """A request body: a JSON object holding only the fields this endpoint knows."""

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [
                serializers.ErrorDetail(API_MESSAGES["not_an_object"][0], code="not_an_object")]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [serializers.ErrorDetail(API_MESSAGES["unknown_field"][0],
                                                code="unknown_field")] for name in unknown})
        return super().to_internal_value(data)


# --- requests --------------------------------------------------------------------------------

class PersonFieldsInput(InputSerializer):
    """The fields of one person, as in the exchange files (pakan.registry.columns)."""

    given_name_lo = StrictCharField(help_text="Given name in Lao script.")
    family_name_lo = StrictCharField(help_text="Family name in Lao script.")
    given_name_latin = StrictCharField(help_text="Given name in Latin letters.")
    family_name_latin = StrictCharField(help_text="Family name in Latin letters.")
    sex = StrictCharField(help_text="M or F.")
    national_id = StrictCharField(required=False, help_text="National ID card number.")
    family_book_number = StrictCharField(required=False)
    relationship_to_head = StrictCharField(required=False,
                                           help_text=", ".join(Relationship.values))
    difficulty_seeing = StrictIntegerField(required=False, allow_null=True,
                                           help_text="Washington Group answer, 1 to 4.")
    difficulty_hearing = StrictIntegerField(required=False, allow_null=True)
    difficulty_walking = StrictIntegerField(required=False, allow_null=True)
    difficulty_remembering = StrictIntegerField(required=False, allow_null=True)
    difficulty_self_care = StrictIntegerField(required=False, allow_null=True)
    difficulty_communicating = StrictIntegerField(required=False, allow_null=True)
    uxo_survivor = StrictBooleanField(required=False)
    phone = StrictCharField(required=False)


class PersonInput(PersonFieldsInput):
    date_of_birth = IsoDateTextField(allow_blank=False, help_text="YYYY-MM-DD.")
    date_of_death = IsoDateTextField(required=False, allow_null=True,
                                     help_text="YYYY-MM-DD, when registering someone deceased.")
    village_code = StrictCharField(
        required=False, help_text="Village of residence; may be left out when household is given.")
    household = StrictIntegerField(required=False, allow_null=True,
                                   help_text="Id of the household the person belongs to.")


class BirthInput(PersonFieldsInput):
    occurred_on = IsoDateField(help_text="Date of birth, YYYY-MM-DD.")


class EventKindField(serializers.ChoiceField):
    default_error_messages = {"bad_event_kind": API_MESSAGES["bad_event_kind"][0]}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("bad_event_kind")
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            self.fail("bad_event_kind")


class LifeEventInput(InputSerializer):
    KINDS = (LifeEvent.Kind.DEATH, LifeEvent.Kind.MOVE, LifeEvent.Kind.MARRIAGE)

    kind = EventKindField(choices=[(k.value, k.label) for k in KINDS])
    occurred_on = IsoDateField(help_text="YYYY-MM-DD, not in the future.")
    village_code = StrictCharField(required=False,
                                   help_text="move: the village moved to (required).")
    with_household = StrictBooleanField(required=False, default=False,
                                        help_text="move: the whole household moves along.")
    family_book_number = StrictCharField(
        required=False, help_text="marriage: family-book number of a household in the "
                                  "caller's area.")
    relationship_to_head = StrictCharField(
        required=False, help_text="marriage: relationship in the new household (spouse).")

    NEEDS = {LifeEvent.Kind.MOVE: "village_code", LifeEvent.Kind.MARRIAGE: "family_book_number"}

    def validate(self, attrs: dict) -> dict:
        needed = self.NEEDS.get(attrs["kind"])
        if needed and not attrs.get(needed):
            raise serializers.ValidationError(
                {needed: [serializers.ErrorDetail(MESSAGES["required"][0], code="required")]})
        return attrs


class HouseholdInput(InputSerializer):
    family_book_number = StrictCharField(help_text="6 to 20 digits, capital letters or hyphens.")
    village_code = StrictCharField()


class PeopleQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                              help_text="National ID, family-book number, registry number, or "
                                        "name words in Lao or Latin letters.")
    village = serializers.CharField(required=False, allow_blank=True, default="",
                                    max_length=16, help_text="Only people of this village (code).")


class VillageQuery(serializers.Serializer):
    district = serializers.CharField(required=False, allow_blank=True, default="",
                                     help_text="Only villages of this district (code).")


class TokenRequest(InputSerializer):
    username = StrictCharField()
    password = StrictCharField(style={"input_type": "password"})


# --- responses -------------------------------------------------------------------------------

class ErrorItem(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    reason_en = serializers.CharField()
    reason_lo = serializers.CharField()


class ErrorResponse(serializers.Serializer):
    errors = ErrorItem(many=True)


class TokenResponse(serializers.Serializer):
    token = serializers.CharField()
    username = serializers.CharField()
    role = serializers.CharField()


class VillageSerializer(serializers.ModelSerializer):
    district_code = serializers.CharField(source="parent.code", read_only=True)
    district_name_en = serializers.CharField(source="parent.name_en", read_only=True)
    district_name_lo = serializers.CharField(source="parent.name_lo", read_only=True)
    province_code = serializers.CharField(source="parent.parent.code", read_only=True)
    province_name_en = serializers.CharField(source="parent.parent.name_en", read_only=True)
    province_name_lo = serializers.CharField(source="parent.parent.name_lo", read_only=True)

    class Meta:
        model = AdminUnit
        fields = ("code", "name_en", "name_lo", "district_code", "district_name_en",
                  "district_name_lo", "province_code", "province_name_en", "province_name_lo")


class PersonSummarySerializer(serializers.ModelSerializer):
    """One line of a search result."""

    village_code = serializers.CharField(source="village.code", read_only=True)

    class Meta:
        model = Person
        fields = ("id", "national_id", "family_book_number", "given_name_lo", "family_name_lo",
                  "given_name_latin", "family_name_latin", "sex", "date_of_birth",
                  "date_of_death", "village_code", "household", "relationship_to_head")


class LifeEventSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True,
                                        allow_null=True)

    class Meta:
        model = LifeEvent
        fields = ("id", "person", "kind", "occurred_on", "details", "recorded_at", "recorded_by")


class HouseholdSummarySerializer(serializers.ModelSerializer):
    village_code = serializers.CharField(source="village.code", read_only=True)

    class Meta:
        model = Household
        fields = ("id", "family_book_number", "village_code", "head")


class PersonDetailSerializer(serializers.ModelSerializer):
    """The full record: every field, the place, the household and the life events."""

    village = VillageSerializer(read_only=True)
    household = HouseholdSummarySerializer(read_only=True, allow_null=True)
    life_events = serializers.SerializerMethodField()
    # Washington Group answers: 1 no difficulty, 2 some, 3 a lot, 4 cannot do at all.
    difficulty_seeing = serializers.IntegerField(read_only=True, allow_null=True)
    difficulty_hearing = serializers.IntegerField(read_only=True, allow_null=True)
    difficulty_walking = serializers.IntegerField(read_only=True, allow_null=True)
    difficulty_remembering = serializers.IntegerField(read_only=True, allow_null=True)
    difficulty_self_care = serializers.IntegerField(read_only=True, allow_null=True)
    difficulty_communicating = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = ("id", "status", "national_id", "family_book_number", "given_name_lo",
                  "family_name_lo", "given_name_latin", "family_name_latin", "sex",
                  "date_of_birth", "date_of_death", "village", "household",
                  "relationship_to_head", *WASHINGTON_GROUP_DOMAINS, "uxo_survivor", "phone",
                  "created_at", "updated_at", "life_events")

    @extend_schema_field(LifeEventSerializer(many=True))
    def get_life_events(self, person: Person) -> list[dict]:
        events = self.context.get("life_events")
        if events is None:
            events = person.life_events.select_related("recorded_by")
        return LifeEventSerializer(events, many=True).data


class RegistrationSerializer(serializers.Serializer):
    person = PersonDetailSerializer()
    duplicates_queued = serializers.IntegerField(
        help_text="Likely duplicates put in the review queue (same national ID, or a close "
                  "name with the same birth date and sex in the same district).")


class LifeEventResult(serializers.Serializer):
    event = LifeEventSerializer()


class HouseholdSerializer(serializers.ModelSerializer):
    village = VillageSerializer(read_only=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ("id", "family_book_number", "village", "head", "members", "created_at",
                  "updated_at")

    @extend_schema_field(PersonSummarySerializer(many=True))
    def get_members(self, household: Household) -> list[dict]:
        members = self.context.get("members")
        if members is None:
            members = household.members.none()
        return PersonSummarySerializer(members, many=True).data
