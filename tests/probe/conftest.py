"""Tests written by an independent prober to break this project's promises (issue 12's
review): each reproduces what it tried, and runs with the suite. The known gaps they found
are strict xfails that name the gap, so fixing one turns its test into a failure to remove
the mark."""

from tests.test_lean_path import full_wh  # noqa: F401  (fixture)
