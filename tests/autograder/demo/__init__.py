"""Tests of `autograder.demo`."""
