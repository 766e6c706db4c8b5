from course import fashion


def build_regularized_network(kernel_regularizer, hidden_sizes=(512, 512), input_dim=784, n_classes=10,
                              activation="relu"):
    spec = fashion.NetworkSpec(hidden=tuple(hidden_sizes))
    return fashion.build_network(spec, input_dim, n_classes, kernel_regularizer=kernel_regularizer)
