"""The actuarial pages: scenarios (scenarios.py), runs and their reports (runs.py), data
extracts (extracts.py)."""
