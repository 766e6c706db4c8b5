"""Tests of the `course` package, one file per module (a package: `import course` still finds the real one)."""
