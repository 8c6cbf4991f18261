"""bplib: the helper package of the course *Backprop from Scratch*.

Two parts. The **engine** is what the course teaches, small enough to read whole; each module has
one job:

=================  ============================================================
``functions``      activations and losses with their derivatives (pure NumPy)
``nn``             layers with ``forward``/``backward`` and loss objects
``optim``          SGD (with momentum), RMSprop, Adam (Keras formulas)
``gradcheck``      finite differences, relative error, ``check_model``
``autograd``       a tiny scalar autograd (``Value``)
``data``           XOR, two moons, spirals, mini-batches, MNIST loader
``train``          ``fit``/``evaluate``/``accuracy`` and ``TrainingDiverged``
=================  ============================================================

:mod:`bplib.course` is the **scaffolding** of the notebooks around it: figures, widgets,
exercise checks, the bug-hunt suspects, the experiments the notebooks run and the set-up check.

Conventions (the notation of notebook 00): batches are rows (``X`` is ``(N, D)``), a linear layer
computes ``Z = X @ W + b`` with ``W`` of shape ``(D_in, D_out)``; functions keep the input's
float dtype.
"""

__version__ = "0.1.0"
