def weight_decay_step(W, dW, learning_rate, lambd, m):
    return W * (1 + learning_rate * lambd / m) - learning_rate * dW
