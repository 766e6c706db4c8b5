def l2_regularized_gradient(dW, W, lambd, m):
    dW += (lambd / m) * W
    return dW
