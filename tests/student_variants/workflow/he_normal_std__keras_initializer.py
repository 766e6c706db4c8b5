import math

import keras


def he_normal_std(fan_in):
    initializer = keras.initializers.HeNormal()
    return math.sqrt(initializer.scale / fan_in)
