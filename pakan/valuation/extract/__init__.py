"""Valuation data from the live fund (issue 5, item 2): the insured and pensioners as the fund
holds them on a valuation date, without names or ids, with their experience statistics, stored
as a `ValuationExtract` (an .npz file and its SHA-256), and turned into the actuarial model's
inputs. See docs/valuation-data.md.

- `services`: who may, which dates, `make_extract`, `start_extract_job` (a job with progress);
- `reading`: the set-based SQL (binary COPY on PostgreSQL, a cursor on SQLite);
- `arrays`: the columns and the file; `period`: the dates an extract is measured on;
- `model_inputs`: `assumptions_from_extract` and the inputs it builds;
- `tasks`: the job's runner and a Celery task.
The experience statistics are in `pakan.valuation.experience`.
"""

from pakan.valuation.extract.arrays import ExtractArrays
from pakan.valuation.extract.messages import ExtractError, ExtractNotAllowed
from pakan.valuation.extract.model_inputs import (
    FundData,
    assumptions_from_extract,
    fund_data_for,
    load_arrays,
)
from pakan.valuation.extract.services import (
    check_valuation_date,
    make_extract,
    may_make_extract,
    start_extract_job,
)

__all__ = [
    "ExtractArrays", "ExtractError", "ExtractNotAllowed", "FundData",
    "assumptions_from_extract", "check_valuation_date", "fund_data_for", "load_arrays",
    "make_extract", "may_make_extract", "start_extract_job",
]
