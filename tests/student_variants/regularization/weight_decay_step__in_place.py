def weight_decay_step(W, dW, learning_rate, lambd, m):
    W *= 1 - learning_rate * lambd / m
    W -= learning_rate * dW
    return W
