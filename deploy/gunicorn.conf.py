"""gunicorn's settings for Clientes en ruta: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`
(`make run`, the deployment in the README, and both servers in `make bench`). Command-line
flags and GUNICORN_CMD_ARGS override them.

Threads: a phone's first sync asks for pages of a few hundred clients that take a second on
a busy server; with several threads a worker still answers the short requests behind them
(a delta sync, an order), which the morning rush in `make bench` measures.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
