def weight_decay_step(W, dW, learning_rate, lambd, m):
    return W * (1 - lambd / m) - learning_rate * dW
