"""Grading a class on the host: scheduling, one submission end to end, the gradebook, records, feedback, exports."""
