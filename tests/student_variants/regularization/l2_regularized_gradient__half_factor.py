def l2_regularized_gradient(dW, W, lambd, m):
    return dW + lambd / (2 * m) * W
