"""Linear algebra on one BLAS thread.

On these two-core machines OpenBLAS with two threads made the tall, thin products of the
TF-IDF/LSA fit and the ridge fits 5 to 20 times slower than one thread, worst when the other
core was busy (fitting LSA on 10,000 segments: 0.7 s with one thread, 0.7 to 20 s with two;
ridge retraining in benchmarks/suggest_speed.py: 1 s against 18 s).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        yield
