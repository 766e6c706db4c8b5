"""nbgrader configuration for the course (the course root is this file's folder)."""

import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "ml-regularization"

# One notebook per assignment folder; data and helpers come from the installed `course` package.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# What students see in an answer cell.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Execution during autograde/validate. Keras cells train small models (fast mode shrinks them
# because nbgrader sets NBGRADER_EXECUTION), so a cell may take seconds, not minutes.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 120

# nbgrader counts lines only; keep the caps modest so a print loop cannot flood feedback.
c.LimitOutput.max_lines = 500
c.LimitOutput.max_traceback = 80

# nbgrader scores any stderr output in a test cell as a failure. Drop stderr streams that are
# only Python warnings or TensorFlow/absl log lines, so a harmless warning costs nothing.
# (The pattern alone does nothing: the preprocessor must be enabled.)
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"(?m)^(?:.*:\d+: \w*Warning: "  # warnings.warn output: file:line: Category: message
    r"|[IWE]\d{4} \d\d:\d\d:\d\d"  # absl/TensorFlow C++ log lines
    r"|WARNING: All log messages before absl::InitializeLog"
    r"|WARNING:absl:)"
)

# What a graded function that breaks its stated exercise rule ("Exercise rule: do not use ...") costs:
# "withhold" (its test cells score 0, flagged) or "flag" (flagged only; the points stay). Read by
# autograder/pipeline/records.py (rule_mode); changing it regrades the class on the next `grade`.
c.ExerciseRules.on_violation = "withhold"

# The late policy (autograder/scoring/late_policy.py), used by nbgrader's autograde and by the
# grader alike. A submission is late when its timestamp.txt is after the assignment's due date
# (`nbgrader db assignment add ASSIGNMENT --duedate="2027-01-15 17:00:00 Europe/Paris"`) plus the
# student's extension (`python -m autograder extension`). Without a due date nothing is late.
c.AssignLatePenalties.plugin_class = "autograder.scoring.late_policy.CourseLatePolicy"
c.CourseLatePolicy.grace_minutes = 15  # a submission 15 minutes late is on time
c.CourseLatePolicy.percent_per_day = 10  # then 10 % of the score per started day
c.CourseLatePolicy.zero_after_days = 7  # and nothing after a week
