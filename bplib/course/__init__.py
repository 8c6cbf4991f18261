"""The course's scaffolding around the engine: what the notebooks show and check.

=================  ============================================================
``experiments``    the small experiments the notebooks run (XOR sweeps, optimiser paths, deep-net runs)
``plots``          the figures the course draws again and again (and ``draw_graph``)
``diagrams``       the training-loop diagram of notebook 06
``surfaces``       2-D loss surfaces for gradient descent (notebooks 04 and 11)
``suspects``       the faulty backward passes of notebook 07's bug hunt
``setup_check``    versions and MNIST availability, for notebook 00
``widgets``        the interactive figures (ipywidgets + matplotlib), drawing ``experiments``
``exercises``      the exercise checks, which name the likely mistake (they never import widgets)
=================  ============================================================

Nothing in the engine (``bplib.functions``, ``nn``, ``optim``, ``gradcheck``, ``autograd``,
``data``, ``train``) imports from here.
"""
