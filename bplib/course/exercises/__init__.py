"""The exercise checks, one module per topic, all run by one engine (:mod:`.engine`).

==========================  ====  ===============================================
module                      nb    the learner writes
==========================  ====  ===============================================
``derivatives``             01    derivatives by the chain rule, a central difference
``graphs``                  02    backprop by hand; a micrograd-style ``Value``
``neuron``                  03    the gradient of one sigmoid neuron with MSE
``descent``                 04    gradient descent on a 2-D surface
``linear_layer``            05    ``MyLinear`` forward and backward
``mlp``                     06    the backward pass of a two-layer network
``bug_hunt``                07    fixes of the bug hunt's faulty backward passes
``xor``                     08    R1's forward and backward; hyperparameters for XOR
``binary_cross_entropy``    09    stable binary cross-entropy from logits, with its gradient
``softmax``                 10    stable softmax cross-entropy; softmax's vector-Jacobian product
``optimisers``              11    momentum, RMSprop and Adam updates
``initialisation``          12    Xavier and He initialisation
``mnist``                   13    the capstone's parts and their sanity checks
==========================  ====  ===============================================

A check prints ``PASSED: ...`` or raises :class:`ExerciseFailed` naming the likely mistake;
an unfinished exercise raises :class:`NotDoneYet` and can never pass. ``report("05", globals())``
lists the verdicts of one notebook's exercises, the same the grader gives.
"""

from bplib.course.exercises import (binary_cross_entropy, bug_hunt, derivatives, descent, graphs,
                                    initialisation, linear_layer, mlp, mnist, neuron, optimisers, softmax, xor)
from bplib.course.exercises.binary_cross_entropy import *  # noqa: F401,F403
from bplib.course.exercises.bug_hunt import *  # noqa: F401,F403
from bplib.course.exercises.derivatives import *  # noqa: F401,F403
from bplib.course.exercises.descent import *  # noqa: F401,F403
from bplib.course.exercises.engine import (EXERCISES, ExerciseFailed, NotDoneYet, Verdict, evaluate,
                                           notebook_verdicts, report)
from bplib.course.exercises.graphs import *  # noqa: F401,F403
from bplib.course.exercises.initialisation import *  # noqa: F401,F403
from bplib.course.exercises.linear_layer import *  # noqa: F401,F403
from bplib.course.exercises.mlp import *  # noqa: F401,F403
from bplib.course.exercises.mnist import *  # noqa: F401,F403
from bplib.course.exercises.neuron import *  # noqa: F401,F403
from bplib.course.exercises.optimisers import *  # noqa: F401,F403
from bplib.course.exercises.softmax import *  # noqa: F401,F403
from bplib.course.exercises.xor import *  # noqa: F401,F403

_TOPICS = (derivatives, graphs, neuron, descent, linear_layer, mlp, bug_hunt, xor, binary_cross_entropy,
           softmax, optimisers, initialisation, mnist)

__all__ = ["EXERCISES", "ExerciseFailed", "NotDoneYet", "Verdict", "evaluate", "notebook_verdicts", "report",
           *(name for topic in _TOPICS for name in topic.__all__)]
