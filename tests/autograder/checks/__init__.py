"""Tests of `autograder.checks`."""
