"""Tests of `autograder.pipeline`."""
