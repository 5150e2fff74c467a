"""The background job queue: its setup, the job rows users follow, the worker and its pages.

Each domain keeps its own jobs in `<domain>/jobs.py` and registers them with `jobs.queue.job`;
this package imports no domain, so any service may start a job.
"""
