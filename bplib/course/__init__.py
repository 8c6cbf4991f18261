"""The course's scaffolding around the engine: what the notebooks show and check.

=================  ============================================================
``plots``          the figures the course draws again and again (and ``draw_graph``)
``diagrams``       the training-loop diagram of notebook 06
``surfaces``       2-D loss surfaces for gradient descent (notebooks 04 and 11)
``suspects``       the faulty backward passes of notebook 07's bug hunt
``setup_check``    versions and MNIST availability, for notebook 00
``widgets``        the interactive figures (ipywidgets + matplotlib)
``exercises``      the exercise checks, which name the likely mistake
=================  ============================================================

Nothing in the engine (``bplib.functions``, ``nn``, ``optim``, ``gradcheck``, ``autograd``,
``data``, ``train``) imports from here.
"""
