"""Tests of `autograder.scoring`."""
