"""Checks for the exercise cells, one module per notebook.

Each check prints ``PASSED: ...`` or raises :class:`ExerciseFailed` with a message that names the
likely mistake. An unfinished exercise (``raise NotImplementedError()`` in the student edition)
is never caught, so it cannot pass.
"""

from bplib.course.exercises.common import ExerciseFailed
from bplib.course.exercises.derivatives import check_sigmoid_derivative, check_tanh_derivative
from bplib.course.exercises.graphs import BY_HAND_INPUTS, check_backprop_by_hand
from bplib.course.exercises.linear_layer import check_linear_layer
from bplib.course.exercises.xor import check_xor_backward, check_xor_forward, check_xor_hyperparameters
from bplib.course.exercises.softmax import check_softmax_cross_entropy
from bplib.course.exercises.mnist import (check_accuracy_from_logits, check_most_confidently_wrong, check_one_hot,
                                  check_r3_model, check_train_step)

__all__ = [
    "ExerciseFailed",
    # 01 · derivatives and the chain rule
    "check_sigmoid_derivative", "check_tanh_derivative",
    # 02 · computational graphs
    "BY_HAND_INPUTS", "check_backprop_by_hand",
    # 05 · vectorised layers
    "check_linear_layer",
    # 08 · the XOR exercise
    "check_xor_forward", "check_xor_backward", "check_xor_hyperparameters",
    # 10 · softmax and cross-entropy
    "check_softmax_cross_entropy",
    # 13 · the MNIST exercise
    "check_one_hot", "check_r3_model", "check_train_step", "check_accuracy_from_logits",
    "check_most_confidently_wrong",
]
