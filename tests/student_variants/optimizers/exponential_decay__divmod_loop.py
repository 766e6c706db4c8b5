def exponential_decay(step, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    if not decay_steps > 0:
        raise ValueError("decay_steps")
    if step < 0:
        raise ValueError("negative step")
    whole, rest = divmod(step, decay_steps)
    lr = float(initial_learning_rate)
    for _ in range(int(whole)):
        lr *= decay_rate
    if not staircase:
        lr *= decay_rate ** (rest / decay_steps)
    return lr
