"""Tests of `autograder.review`."""
