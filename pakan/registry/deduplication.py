"""Finding likely duplicates: the same national ID, or a close name with the same birth date
and sex in a nearby place (the same district). Set-based, so it serves one registration and a
million-row import alike.
"""

from __future__ import annotations

from django.db import connection, transaction
from rapidfuzz.distance import Levenshtein

from pakan.registry.models import DuplicateCandidate, Person

# Two name keys closer than this (normalised similarity 0..1) count as "close".
NAME_SIMILARITY_THRESHOLD = 0.8
# "Nearby": the same district, which is the materialised path cut after the district code.
DISTRICT_PATH_LENGTH = len("/LA/01/0101/")


def name_similarity(first: tuple[str, str], second: tuple[str, str]) -> float:
    """Similarity of two (given key, family key) pairs, tolerant of swapped name order."""
    straight = Levenshtein.normalized_similarity(" ".join(first), " ".join(second))
    swapped = Levenshtein.normalized_similarity(" ".join(first), " ".join(reversed(second)))
    return max(straight, swapped)


# Blocking: a pair is only compared when both were born the same day, are of the same sex and
# live in the same district, and their name keys share a first letter.
_SAME_FIRST_LETTER = """
    (substr(old_given, 1, 1) = substr(new_given, 1, 1)
     OR substr(old_family, 1, 1) = substr(new_family, 1, 1)
     OR substr(old_given, 1, 1) = substr(new_family, 1, 1)
     OR substr(old_family, 1, 1) = substr(new_given, 1, 1))
"""
# Up to this many new people, each is looked up through the (date of birth, sex) index; above
# it, everyone is blocked on (date of birth, sex, district) at once with a hash join, which
# costs a pass over the registry but never builds the large same-birthday pairs.
INDEXED_LOOKUP_LIMIT = 2_000


def _candidate_pairs(first_id: int, last_id: int) -> list[tuple[int, int, str, str, str, str]]:
    """New people in [first_id, last_id] with every other active record in the same block."""
    people = f"""
        SELECT p.id, p.date_of_birth, p.sex, p.given_key_latin, p.family_key_latin,
               substr(v.path, 1, {DISTRICT_PATH_LENGTH}) AS district
        FROM registry_person p JOIN registry_adminunit v ON v.id = p.village_id
        WHERE p.status = 'active'
    """
    if last_id - first_id < INDEXED_LOOKUP_LIMIT:
        sql = f"""
            WITH new AS ({people} AND p.id BETWEEN %(first_id)s AND %(last_id)s)
            SELECT * FROM (
                SELECT new.id AS new_id, old.id AS old_id,
                       new.given_key_latin AS new_given, new.family_key_latin AS new_family,
                       old.given_key_latin AS old_given, old.family_key_latin AS old_family
                FROM new
                JOIN registry_person old
                  ON old.date_of_birth = new.date_of_birth AND old.sex = new.sex
                 AND old.status = 'active' AND old.id <> new.id
                 AND (old.id < new.id OR old.id > %(last_id)s)
                JOIN registry_adminunit old_village ON old_village.id = old.village_id
                WHERE substr(old_village.path, 1, {DISTRICT_PATH_LENGTH}) = new.district
            ) pairs WHERE {_SAME_FIRST_LETTER}
        """
    else:
        sql = f"""
            WITH everyone AS ({people})
            SELECT * FROM (
                SELECT new.id AS new_id, old.id AS old_id,
                       new.given_key_latin AS new_given, new.family_key_latin AS new_family,
                       old.given_key_latin AS old_given, old.family_key_latin AS old_family
                FROM everyone new
                JOIN everyone old
                  ON old.date_of_birth = new.date_of_birth AND old.sex = new.sex
                 AND old.district = new.district AND old.id <> new.id
                 AND (old.id < new.id OR old.id > %(last_id)s)
                WHERE new.id BETWEEN %(first_id)s AND %(last_id)s
            ) pairs WHERE {_SAME_FIRST_LETTER}
        """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"first_id": first_id, "last_id": last_id})
        return cursor.fetchall()


def _same_id_pairs(first_id: int, last_id: int) -> list[tuple[int, int]]:
    """New people whose national ID another active record already holds."""
    sql = """
        SELECT new.id, old.id FROM registry_person new
        JOIN registry_person old
          ON old.national_id = new.national_id AND old.national_id IS NOT NULL
         AND old.id <> new.id AND old.status = 'active'
         AND (old.id < new.id OR old.id > %(last_id)s)
        WHERE new.id BETWEEN %(first_id)s AND %(last_id)s AND new.national_id IS NOT NULL
          AND new.status = 'active'
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"first_id": first_id, "last_id": last_id})
        return cursor.fetchall()


@transaction.atomic
def queue_likely_duplicates(first_id: int, last_id: int) -> int:
    """Queue every likely duplicate of the people with ids in [first_id, last_id]."""
    candidates: dict[tuple[int, int], DuplicateCandidate] = {}
    for new_id, old_id in _same_id_pairs(first_id, last_id):
        pair = (max(new_id, old_id), min(new_id, old_id))
        candidates[pair] = DuplicateCandidate(
            person_id=pair[0], existing_id=pair[1],
            reason=DuplicateCandidate.Reason.SAME_NATIONAL_ID, score=1.0)
    for new_id, old_id, new_given, new_family, old_given, old_family in _candidate_pairs(
        first_id, last_id
    ):
        pair = (max(new_id, old_id), min(new_id, old_id))
        if pair in candidates:
            continue
        score = name_similarity((new_given, new_family), (old_given, old_family))
        if score >= NAME_SIMILARITY_THRESHOLD:
            candidates[pair] = DuplicateCandidate(
                person_id=pair[0], existing_id=pair[1],
                reason=DuplicateCandidate.Reason.SIMILAR_NAME, score=round(score, 3))
    # Every pair is keyed (newer id, older id), so pairs queued before have person_id >= first_id.
    already_queued = set(DuplicateCandidate.objects.filter(person_id__gte=first_id).values_list(
        "person_id", "existing_id")) if candidates else set()
    new_candidates = [c for pair, c in candidates.items() if pair not in already_queued]
    DuplicateCandidate.objects.bulk_create(new_candidates, batch_size=5000,
                                           ignore_conflicts=True)
    return len(new_candidates)


def queue_duplicates_of(person: Person) -> int:
    return queue_likely_duplicates(person.pk, person.pk)
