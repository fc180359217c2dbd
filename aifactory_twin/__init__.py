"""aifactory-twin headless core: schema, document, commands, simulation, I/O and CLI."""

import os

# One BLAS thread (issue 13). OpenBLAS splits a dot product of more than 10,000 elements over
# its threads: a large factory's run then depends in its last bits on the machine's core count,
# and on a busy machine each such call waits milliseconds for the threads (a 4-hall factory's
# 1-hour run phase: 1.7 s with threads, 0.4 s without). Read by OpenBLAS when numpy loads, so
# it acts when this package is imported first (the CLI, the app, study workers); a value the
# user set wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
