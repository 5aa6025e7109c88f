"""How the scorer runs its model: plain fp32 torch, or int8 weights (``SCORER_BACKEND``).

``int8`` is torch's dynamic quantisation of the ``Linear`` layers: weights stored as
int8, activations quantised on the fly. It scores faster than fp32 on CPU, but the
scores move, and ``moderation bench`` measures how often that changes a decision
(``agreement``): too often for the offline model to make it the default.
"""

from __future__ import annotations

import gc
import warnings
from typing import Any

BACKENDS = ("torch", "int8")


def prepare(model: Any, backend: str) -> Any:
    """The model to run for ``backend``: ``model`` itself, or ``model`` made int8 in place.

    Raises:
        ValueError: for a backend not in ``BACKENDS``.
    """
    if backend == "torch":
        return model
    if backend == "int8":
        return quantize_int8(model)
    raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")


def quantize_int8(model: Any) -> Any:
    """``model`` with int8 weights in its ``Linear`` layers (dynamic quantisation, in place).

    In place, so that a worker does not keep the fp32 weights beside the int8 ones.
    """
    import torch

    with warnings.catch_warnings():
        # torch 2.10+ announces a move of this API to torchao; it still works as documented.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear},
                                                       dtype=torch.qint8, inplace=True)
    # The replaced fp32 layers sit in reference cycles: free them now, not at some later
    # collection, so that the worker's memory drops as soon as the model is ready.
    gc.collect()
    return model
