from course.dropout import best_epoch as overfitting_onset
