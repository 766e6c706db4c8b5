"""Judging one submission: intake, the typed job and report, the test runner, the student-function
proxy, the scoring policy and the exercise rules."""
