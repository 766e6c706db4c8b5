"""Scenario texts and answer choices for chapter 01 (ml-taxonomy).

Only what students see: scenario ids with their descriptions, and the allowed answers. The
right answers are not here (students can read this package); they live in the hidden tests.

``SCENARIOS`` are placed on the four branches of machine learning (exercise
``SCENARIO_BRANCHES``). ``TASK_SCENARIOS`` are all supervised problems, to be matched with a
task type (exercise ``SCENARIO_TASKS``); the two lists share no scenario.
"""

from __future__ import annotations

BRANCHES: tuple[str, ...] = ("supervised", "unsupervised", "self-supervised", "reinforcement")

TASKS: tuple[str, ...] = (
    "binary classification",
    "multiclass classification",
    "multilabel classification",
    "scalar regression",
    "vector regression",
    "sequence generation",
    "object detection",
    "image segmentation",
)

PROBLEM_TYPES: tuple[str, ...] = (
    "binary_classification",
    "multiclass_classification",
    "multilabel_classification",
    "scalar_regression",
    "regression_0_1",
)

SCENARIOS: dict[str, str] = {
    "spam_filter": (
        "An e-mail service learns to send messages to the spam folder from millions of "
        "e-mails that users marked as 'spam' or 'not spam'."
    ),
    "customer_segmentation": (
        "A shop groups its customers by their purchase histories to find a handful of "
        "typical kinds of customer; nobody has decided in advance what the groups are."
    ),
    "next_word": (
        "A phone keyboard suggests the next word, trained on a large collection of ordinary "
        "text that nobody annotated."
    ),
    "game_agent": (
        "A program learns to play a video game by playing it over and over; the only "
        "feedback is the game score."
    ),
    "denoising_autoencoder": (
        "A network receives photos with artificial noise added and learns to output the "
        "original, clean photo; the training set is a folder of photos without any labels."
    ),
    "house_price": (
        "An estate agency predicts the selling price of a house from its size, location and "
        "age, learning from past sales with their final prices."
    ),
    "photo_tagging": (
        "A photo app learns to tag pictures with 'beach', 'dog', 'person' and so on from "
        "pictures that users tagged by hand."
    ),
    "robot_grasping": (
        "A robot arm learns by trial and error to pick up objects; it gets a reward each "
        "time it lifts an object off the table."
    ),
    "gene_map": (
        "A biologist squeezes 20,000 gene-activity measurements per cell into two numbers "
        "per cell to draw a map of the cells and look at their structure."
    ),
    "next_frame": (
        "A model watches unlabelled videos and learns to predict the next frame from the "
        "previous frames."
    ),
    "news_grouping": (
        "A news archive groups millions of unlabelled articles into clusters of similar "
        "articles, so that an editor can browse them by theme."
    ),
    "thermostat_control": (
        "A smart thermostat chooses when to heat; it is rewarded for keeping the home "
        "comfortable and penalized for the energy it uses, and improves its choices over "
        "months."
    ),
}

TASK_SCENARIOS: dict[str, str] = {
    "tumor_malignant": (
        "From 30 measurements of a breast-tumour biopsy, decide whether the tumour is "
        "malignant or benign."
    ),
    "digit_reading": "Read a handwritten digit: which of 0, 1, ..., 9 is it?",
    "news_topic": "File each news wire under exactly one of 46 topics.",
    "movie_genres": (
        "Give each movie every genre that applies: a film can be comedy, romance and drama "
        "at the same time, or none of them."
    ),
    "delivery_time": "Predict how many minutes a food delivery will take.",
    "hand_keypoints": (
        "From a photo of a hand, predict the (x, y) pixel coordinates of its 21 joints."
    ),
    "weather_tomorrow": (
        "Predict tomorrow's temperature, humidity and wind speed at a weather station."
    ),
    "image_captioning": "Write a one-sentence description of a photo, word by word.",
    "pedestrian_boxes": (
        "Find every pedestrian in a street photo: draw a box around each one and say that "
        "it is a pedestrian."
    ),
    "road_pixels": (
        "Label every pixel of a dashboard-camera image as road, car, pedestrian, building "
        "or sky."
    ),
    "translation": "Translate an English sentence into Korean.",
    "review_sentiment": "Decide whether a movie review is positive or negative.",
}
