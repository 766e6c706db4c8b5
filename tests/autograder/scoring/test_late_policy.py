"""The late policy (autograder.scoring.late_policy): the course's plugin and nbgrader's own, as
configured in a course's nbgrader_config.py."""

from __future__ import annotations

import pytest
from traitlets.config import Config

from autograder.scoring.late_policy import DAY_SECONDS, describe, late_penalty

HOUR = 3600


def _course_policy(grace_minutes=15, percent_per_day=10, zero_after_days=7) -> Config:
    config = Config()
    config.AssignLatePenalties.plugin_class = "autograder.scoring.late_policy.CourseLatePolicy"
    config.CourseLatePolicy.grace_minutes = grace_minutes
    config.CourseLatePolicy.percent_per_day = percent_per_day
    config.CourseLatePolicy.zero_after_days = zero_after_days
    return config


@pytest.mark.parametrize(("seconds_late", "penalty"), [
    (0, 0.0),  # on time
    (15 * 60, 0.0),  # at the end of the grace period
    (15 * 60 + 1, 2.0),  # a started day: 10 % of 20
    (DAY_SECONDS, 2.0),
    (DAY_SECONDS + 1, 4.0),  # a second started day
    (6 * DAY_SECONDS + HOUR, 14.0),
    (7 * DAY_SECONDS, 14.0),  # 7 days exactly: not yet "more than 7 days"
    (7 * DAY_SECONDS + 1, 20.0),  # then the whole score
])
def test_the_course_policy_takes_a_share_per_started_day_after_the_grace_period(seconds_late, penalty):
    """Check the grace period, the share per started day counted from the deadline, and zero after a week."""
    assert late_penalty(_course_policy(), "alice", 20.0, seconds_late) == pytest.approx(penalty)


def test_the_penalty_never_exceeds_the_score_nor_goes_below_zero():
    """Check that 60 % a day for 3 days takes the score and no more, and a score of 0 loses nothing."""
    assert late_penalty(_course_policy(percent_per_day=60, zero_after_days=0), "a", 12.0, 3 * DAY_SECONDS) == 12.0
    assert late_penalty(_course_policy(), "a", 0.0, 3 * DAY_SECONDS) == 0.0


def test_nbgrader_own_policies_are_honoured():
    """Check that nbgrader's default costs nothing and its 'zero' method takes the whole score."""
    assert late_penalty(Config(), "a", 20.0, 10 * DAY_SECONDS) == 0.0
    zero = Config()
    zero.LateSubmissionPlugin.penalty_method = "zero"
    assert late_penalty(zero, "a", 20.0, 1) == 20.0
    assert late_penalty(zero, "a", 20.0, 0) == 0.0


def test_the_description_changes_with_every_setting_of_the_policy():
    """Check that a late submission is graded again when any setting of the policy changes."""
    base = describe(_course_policy())
    assert describe(_course_policy()) == base
    assert describe(_course_policy(grace_minutes=30)) != base
    assert describe(_course_policy(percent_per_day=5)) != base
    assert describe(_course_policy(zero_after_days=3)) != base
    assert describe(Config()) != base


def test_the_course_configuration_names_the_course_policy():
    """Check that the repository's nbgrader_config.py sets the course's policy, which nbgrader itself would use."""
    from autograder.pipeline.course_config import course_config
    from tests.paths import REPO

    config = course_config(REPO)
    assert "CourseLatePolicy" in describe(config)
    assert late_penalty(config, "a", 10.0, DAY_SECONDS) == pytest.approx(1.0)
