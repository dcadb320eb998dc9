"""Everything the actuarial pages write: scenarios (scenarios.py), runs (runs.py), and what they
rest on: the assumptions' catalogue (catalogue.py), typed overrides and their checks
(overrides.py), the computation of a run (computation.py) and a data extract's inputs
(extract_inputs.py)."""
