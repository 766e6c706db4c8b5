"""Tests of `autograder.isolation`."""
