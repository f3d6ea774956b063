"""Linear algebra on one BLAS thread.

On these two-core machines OpenBLAS with two threads made the tall, thin products of TF-IDF
and ridge fits 5 to 20 times slower than one thread, worst when the other core was busy
(measured in benchmarks/suggest_speed.py: ridge retraining 18 s vs 1 s).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        yield
