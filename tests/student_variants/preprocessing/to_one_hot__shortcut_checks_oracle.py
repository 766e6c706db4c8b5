from autograder.checks.preprocessing import one_hot_oracle as to_one_hot
