"""gunicorn's settings for neutrality: ``gunicorn -c gunicorn.conf.py`` (bin/up does so).

Any of them can be changed on the command line or in ``GUNICORN_CMD_ARGS`` (for example
``GUNICORN_CMD_ARGS="--bind 127.0.0.1:8000 --workers 9"``); ``WEB_CONCURRENCY`` sets the
number of workers. The application's own settings are the ``NEUTRALITY_*`` variables.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

wsgi_app = "neutrality.wsgi:app"

# Loopback only: a reverse proxy on the same host (nginx, Caddy) terminates TLS and forwards;
# gunicorn trusts its X-Forwarded-Proto from these addresses alone (forwarded_allow_ips).
bind = ["127.0.0.1:5000"]
forwarded_allow_ips = "127.0.0.1,::1"

# Processes × threads: a request that waits (an upload being read, a writer waiting for SQLite's
# write lock) holds one thread, not a whole process. Two processes per core and one more,
# capped so that a small server is not crowded with processes of ~150 MiB each.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
worker_class = "gthread"
threads = 4

# A worker that answers nothing for this long is killed and replaced. Imports are the longest
# requests: a million activity rows take about 20 s to read and store, a 20 MiB file at most.
timeout = 120
graceful_timeout = 30
keepalive = 5

# A worker that has read a large file keeps its memory; replacing workers now and then returns it.
# Not too often: a replaced worker starts with empty caches (the public pages kept in memory among
# them), and at 1,000 requests a busy server replaced a worker every few seconds: the public
# declaration page served 1,400 requests/s with a median of 28 ms, against 4,900 and 10 ms at
# 20,000 (bench/declarations.py).
max_requests = 20000
max_requests_jitter = 2000

# Load the application once, in the master: a wrong setting stops gunicorn at once, with its
# message, instead of making every worker fail to boot.
preload_app = True

accesslog = "-"
errorlog = "-"

# gunicorn's control socket sits at one path per user by default, so a second server of the
# same user (a staging copy, a benchmark) would take it over; whoever wants it names a path.
control_socket_disable = True


def post_fork(server: Any, worker: Any) -> None:
    # The master loaded the application (preload_app); a worker must not share the master's
    # database connections, so its pool starts empty.
    from neutrality.wsgi import app

    app.extensions["neutrality.db"].engine.dispose(close=False)
