"""The late policy: what a late submission costs, as an nbgrader late-submission plugin.

nbgrader decides *how late* a submission is (its ``timestamp.txt`` against the assignment's due
date plus the student's extension, both in the gradebook) and asks the plugin configured as
``c.AssignLatePenalties.plugin_class`` *what it costs*. nbgrader ships two policies
(``c.LateSubmissionPlugin.penalty_method``: ``"none"`` or ``"zero"``); :class:`CourseLatePolicy`
adds the one courses usually announce: a grace period, a share of the score per started day,
and zero after some days. The grader asks the same configured plugin, on the trusted score
(:func:`late_penalty`), so ``nbgrader export`` and the feedback page show the penalty.

Set in the course's ``nbgrader_config.py``::

    c.AssignLatePenalties.plugin_class = "autograder.scoring.late_policy.CourseLatePolicy"
    c.CourseLatePolicy.grace_minutes = 15
    c.CourseLatePolicy.percent_per_day = 10
    c.CourseLatePolicy.zero_after_days = 7
"""

from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float
from traitlets.config import Config

DAY_SECONDS = 24 * 60 * 60


class CourseLatePolicy(LateSubmissionPlugin):
    """A grace period, then ``percent_per_day`` of the score per started day late, and the whole
    score once more than ``zero_after_days`` late (``penalty_method`` is not used)."""

    grace_minutes = Float(0.0, help="Minutes after the deadline that still count as on time.").tag(config=True)
    percent_per_day = Float(0.0, help="Percent of the score taken per started day late (after the grace "
                                      "period, counted from the deadline).").tag(config=True)
    zero_after_days = Float(0.0, help="Days late after which the score is zero (0: never).").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        if total_seconds_late <= self.grace_minutes * 60:
            return None
        if self.zero_after_days > 0 and total_seconds_late > self.zero_after_days * DAY_SECONDS:
            return score
        started_days = math.ceil(total_seconds_late / DAY_SECONDS)
        return score * min(1.0, self.percent_per_day * started_days / 100)


def _plugin(config: Config) -> LateSubmissionPlugin:
    """The plugin nbgrader's autograde would use with ``config`` (its ``AssignLatePenalties``)."""
    from nbgrader.preprocessors import AssignLatePenalties

    assigner = AssignLatePenalties(config=config)
    assigner.init_plugin()
    return assigner.plugin_inst


def late_penalty(config: Config, student: str, score: float, seconds_late: float) -> float:
    """What ``seconds_late`` costs a submission that scored ``score``, by the configured plugin,
    bounded to [0, score] as nbgrader bounds it; 0 for a submission on time."""
    if seconds_late <= 0:
        return 0.0
    penalty = _plugin(config).late_submission_penalty(student, score, seconds_late)
    return 0.0 if penalty is None else float(min(max(penalty, 0.0), score))


def describe(config: Config) -> str:
    """The configured policy as a stable text (the plugin's class and its settings): when it
    changes, the late submissions are graded again."""
    plugin = _plugin(config)
    settings = {name: getattr(plugin, name) for name in sorted(plugin.trait_names(config=True))}
    return f"{type(plugin).__module__}.{type(plugin).__qualname__}{settings}"
