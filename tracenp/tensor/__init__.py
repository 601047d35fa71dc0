"""`tracenp.tensor`: Theano's symbolic tensor API over tracenp's graph.

    x, y = tensor.dmatrices('x', 'y')
    f = tracenp.function([x, y], tensor.dot(x, y).sum())

Constructors (`dscalar`, `fvector`, `imatrix`, `row`, `tensor3` ... and the
plurals `dmatrices` ...) make typed input variables; the math is NumPy's
(`tensor.exp is np.exp`), recorded on symbolic variables. See
docs/symbolic_api.md.
"""

from __future__ import annotations

from . import nnet
from .basic import *  # noqa: F401,F403  (the math namespace)
from .basic import grad, hessian, inc_subtensor, jacobian, set_subtensor
from .types import CONSTRUCTORS, filter_value, tensor
from .variable import Apply, Variable, symbolic

globals().update(CONSTRUCTORS)
TensorVariable = Variable

__all__ = ["nnet", "grad", "jacobian", "hessian", "set_subtensor", "inc_subtensor", "tensor", "filter_value", "Apply",
           "Variable", "TensorVariable", "symbolic", *CONSTRUCTORS]
