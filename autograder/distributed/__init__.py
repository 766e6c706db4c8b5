"""Grading on a Dask distributed cluster (``grade --scheduler tcp://HOST:8786``): the client side
(:mod:`~autograder.distributed.client`: sends each submission's job, writes each outcome here),
the worker side (:mod:`~autograder.distributed.worker`: a worker plugin that checks versions and
isolation and keeps the warm processes; the task functions) and the version check
(:mod:`~autograder.distributed.versions`). Only ``--scheduler`` imports Dask."""
