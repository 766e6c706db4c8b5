"""Courses to try the grader on: a course folder copied from the checkout, made-up submissions (the
demo samples, a synthetic class and its disguised copies)."""
