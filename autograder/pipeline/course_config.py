"""The course's ``nbgrader_config.py``, read as nbgrader reads it (a traitlets ``Config``): the
grader's own course settings live there too (``c.ExerciseRules``, the late policy)."""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config

from autograder.layout import CourseLayout


def course_config(course_dir: Path) -> Config:
    """The course's configuration (empty when the course has no ``nbgrader_config.py``)."""
    from traitlets.config.loader import PyFileConfigLoader

    path = CourseLayout(course_dir).nbgrader_config()
    if not path.exists():
        return Config()
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
