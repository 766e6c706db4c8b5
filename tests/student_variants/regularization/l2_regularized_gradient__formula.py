def l2_regularized_gradient(dW, W, lambd, m):
    return dW + (lambd / m) * W
