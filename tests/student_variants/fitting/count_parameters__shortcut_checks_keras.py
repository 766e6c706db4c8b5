from autograder.checks.fitting import keras_count as count_parameters
