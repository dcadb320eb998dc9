"""The one registry of places, households and people that every pillar shares."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminUnit(models.Model):
    """A node in the tree of places: country, province, district, village.

    `path` is a materialised path ("/LA/01/0101/0101001/"): everything under a unit is found
    with one prefix match, whatever the depth, and later trees (health facilities, enterprises)
    hang from a village through a foreign key.
    """

    class Level(models.IntegerChoices):
        COUNTRY = 0, _("Country")
        PROVINCE = 1, _("Province")
        DISTRICT = 2, _("District")
        VILLAGE = 3, _("Village")

    level = models.PositiveSmallIntegerField(choices=Level.choices)
    code = models.CharField(max_length=16, unique=True)
    iso_code = models.CharField(max_length=8, blank=True)
    name_en = models.CharField(max_length=120)
    name_lo = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="adminunit_path_prefix",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "parent"], name="adminunit_level_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"

    def contains(self, other: AdminUnit) -> bool:
        return other.path.startswith(self.path)

    @staticmethod
    def path_for(parent_path: str, code: str) -> str:
        return f"{parent_path}{code}/"


class Household(models.Model):
    # Unique through one index in Meta, not `unique=True`, which on PostgreSQL builds two (one
    # in the database's collation, one with varchar_pattern_ops for LIKE): family books are
    # only looked up whole, and the pattern operator class, which compares bytes, serves
    # equality and sorts faster when a bulk import builds the index again.
    family_book_number = models.CharField(max_length=20)
    village = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="households")
    head = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_book_number"]
        constraints = [
            models.UniqueConstraint(fields=["family_book_number"],
                                    name="household_family_book_unique",
                                    opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.family_book_number


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    NON_RELATIVE = "non_relative", _("Not related")


class Difficulty(models.IntegerChoices):
    """Washington Group short set answer scale."""

    NONE = 1, _("No difficulty")
    SOME = 2, _("Some difficulty")
    A_LOT = 3, _("A lot of difficulty")
    CANNOT = 4, _("Cannot do at all")


WASHINGTON_GROUP_DOMAINS = (
    "difficulty_seeing",
    "difficulty_hearing",
    "difficulty_walking",
    "difficulty_remembering",
    "difficulty_self_care",
    "difficulty_communicating",
)


class Person(models.Model):
    """A person in the registry. `id` is the internal registry number."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MERGED = "merged", _("Merged into another record")

    # Not unique in the database: a registration that repeats an ID is held in the duplicate
    # queue for an officer to decide (imports refuse repeated IDs outright). Indexed once, in
    # Meta (person_national_id): its pattern operator class serves = and prefix look-ups alike.
    national_id = models.CharField(max_length=20, null=True, blank=True)
    family_book_number = models.CharField(max_length=20, blank=True)
    given_name_lo = models.CharField(max_length=100)
    family_name_lo = models.CharField(max_length=100)
    given_name_latin = models.CharField(max_length=100)
    family_name_latin = models.CharField(max_length=100)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField()
    date_of_death = models.DateField(null=True, blank=True)
    village = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="people")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    relationship_to_head = models.CharField(
        max_length=20, choices=Relationship.choices, blank=True
    )
    difficulty_seeing = models.PositiveSmallIntegerField(choices=Difficulty.choices, null=True,
                                                         blank=True)
    difficulty_hearing = models.PositiveSmallIntegerField(choices=Difficulty.choices, null=True,
                                                          blank=True)
    difficulty_walking = models.PositiveSmallIntegerField(choices=Difficulty.choices, null=True,
                                                          blank=True)
    difficulty_remembering = models.PositiveSmallIntegerField(choices=Difficulty.choices,
                                                              null=True, blank=True)
    difficulty_self_care = models.PositiveSmallIntegerField(choices=Difficulty.choices, null=True,
                                                            blank=True)
    difficulty_communicating = models.PositiveSmallIntegerField(choices=Difficulty.choices,
                                                                null=True, blank=True)
    uxo_survivor = models.BooleanField(default=False)
    phone = models.CharField(max_length=20, blank=True)
    # Spelling-tolerant search keys, derived from the names by registry.names (one place).
    given_key_latin = models.CharField(max_length=100, db_index=False)
    family_key_latin = models.CharField(max_length=100, db_index=False)
    given_key_lo = models.CharField(max_length=100, db_index=False)
    family_key_lo = models.CharField(max_length=100, db_index=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Indexed in Meta (person_merged_into) only where set: almost every record is NULL here.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # Only where there is one: four children in ten have none yet, and every look-up
            # (=, IN, a prefix) implies NOT NULL, so this smaller index serves them all.
            models.Index(fields=["national_id"], name="person_national_id",
                         opclasses=["varchar_pattern_ops"],
                         condition=models.Q(national_id__isnull=False)),
            models.Index(fields=["given_key_latin"], name="person_given_key_latin",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["family_key_latin"], name="person_family_key_latin",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["given_key_lo"], name="person_given_key_lo",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["family_key_lo"], name="person_family_key_lo",
                         opclasses=["varchar_pattern_ops"]),
            # The duplicate check's equality look-up; sex compared as bytes (see below).
            models.Index(fields=["date_of_birth", "sex"], name="person_birth_sex_pattern",
                         opclasses=["date_ops", "varchar_pattern_ops"]),
            # Equality look-ups only (search by identifier). The pattern operator class compares
            # bytes: a bulk import builds it in half the time it takes in the collation.
            models.Index(fields=["family_book_number"], name="person_family_book_number",
                         opclasses=["varchar_pattern_ops"]),
            # Merged records only: the reverse look-up (and PROTECT on delete) asks for
            # merged_into_id = x, which this partial index answers.
            models.Index(fields=["merged_into"], name="person_merged_into",
                         condition=models.Q(merged_into__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.given_name_latin} {self.family_name_latin}"

    @property
    def full_name_lo(self) -> str:
        return f"{self.given_name_lo} {self.family_name_lo}"

    @property
    def full_name_latin(self) -> str:
        return f"{self.given_name_latin} {self.family_name_latin}"

    @property
    def has_functional_difficulty(self) -> bool:
        """Washington Group disability identifier: 'a lot' or 'cannot' in any domain."""
        return any((getattr(self, d) or 0) >= Difficulty.A_LOT for d in WASHINGTON_GROUP_DOMAINS)


class LifeEvent(models.Model):
    class Kind(models.TextChoices):
        BIRTH = "birth", _("Birth")
        DEATH = "death", _("Death")
        MOVE = "move", _("Move")
        MARRIAGE = "marriage", _("Marriage into another household")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="life_events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    occurred_on = models.DateField()
    details = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.person_id} on {self.occurred_on}"


class DuplicateCandidate(models.Model):
    """Two records that may be the same person, held for an officer to decide."""

    class Reason(models.TextChoices):
        SAME_NATIONAL_ID = "same_national_id", _("Same national ID")
        SIMILAR_NAME = "similar_name", _("Similar name, same date of birth, nearby place")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        MERGED = "merged", _("Merged")
        KEPT_APART = "kept_apart", _("Kept apart")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    existing = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    score = models.FloatField(default=1.0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "existing"], name="duplicate_pair_unique"),
        ]
        indexes = [models.Index(fields=["status"], name="duplicate_status")]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.existing_id} ({self.status})"
