"""bplib: the helper package of the course *Backprop from Scratch*.

Every notebook imports it. Each module has one job:

=================  ============================================================
``functions``      activations and losses with their derivatives (pure NumPy)
``nn``             layers with ``forward``/``backward`` and loss objects
``optim``          SGD (with momentum), RMSprop, Adam (Keras formulas)
``gradcheck``      finite differences, relative error, ``check_model``
``autograd``       a tiny scalar autograd (``Value``) and ``draw_graph``
``data``           XOR, two moons, spirals, mini-batches, MNIST loader
``train``          ``fit``/``evaluate``/``accuracy`` and ``TrainingDiverged``
``plots``          the figures the course draws again and again
``diagrams``       the training-loop diagram of notebook 06
``surfaces``       2-D loss surfaces and gradient-descent trajectories (notebook 04)
``setup_check``    versions and MNIST availability, for the set-up check in notebook 00
``buggy``          the five faulty backward passes of notebook 07's bug hunt
``widgets``        the interactive figures (ipywidgets + matplotlib)
``exercises``      checks for the exercise cells that name the likely mistake
=================  ============================================================

Conventions: batches are rows (``X`` is ``(N, D)``), a linear layer computes
``X @ W + b`` with ``W`` of shape ``(D_in, D_out)``; functions keep the input's
float dtype.
"""

__version__ = "0.1.0"
