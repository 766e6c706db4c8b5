"""Tests of the `autograder` package, one folder per layer (packages: `import autograder` still finds the real one)."""
