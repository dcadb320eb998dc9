"""Everything that writes to the fund, one module per part of the work. The register's use
cases (employers, members, spells, dependants) are re-exported here for short imports."""

from pakan.socialsecurity.services.register import (  # noqa: F401
    add_dependant,
    add_membership,
    change_category,
    change_employer_status,
    check_monthly_wage,
    clean_employer_fields,
    close_employer,
    end_dependant,
    end_employment,
    end_membership,
    enrol_member,
    link_employer_user,
    register_employer,
    reinstate_employer,
    size_class_for,
    start_employment,
    suspend_employer,
)
