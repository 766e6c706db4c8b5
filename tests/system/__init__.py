"""Whole-system tests that span layers: classes graded end to end, attacks, the browser, the notebooks, the
repository itself (lint, pins, release/ in sync, no reachable reference), a student's installation."""
