"""Everything that reads the fund, always within the reader's scope; one module per part of the
work. The register's selectors are re-exported here for short imports."""

from pakan.socialsecurity.selectors.register import (  # noqa: F401
    category_on,
    contribution_history,
    employer_for,
    employer_of_user,
    employers_in_scope,
    member_for,
    members_in_scope,
    members_of_employer,
    months_contributed,
)
