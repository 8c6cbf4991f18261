"""Settings for the whole test run (unit tests and nbval), loaded by pytest before anything else.

``pytest`` runs two workers (``-n 2`` in pyproject.toml), each executing tests or a notebook's
kernel. If every worker's BLAS also started one thread per core, the threads would fight over the
cores and matrix products would get many times slower (notebook 13 went from 15 s to 90 s). One
BLAS thread per worker keeps the run fast. A value set by the caller is respected; the notebooks'
kernels inherit the setting from this process.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
