"""After grading: the class report and the similarity of submissions."""
