import keras


def exponential_decay(step, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    if decay_steps <= 0 or step < 0:
        raise ValueError("bad arguments")
    schedule = keras.optimizers.schedules.ExponentialDecay(initial_learning_rate, decay_steps, decay_rate,
                                                           staircase=staircase)
    return float(schedule(step))
