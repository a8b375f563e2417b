"""Gradient clipping: cap the size of a step before it is taken.

A network's gradient is a list of arrays, one per weight matrix and bias vector. Treated as one
long vector g, it can be clipped in two ways:

* by global norm: if ||g|| > c, replace g by (c / ||g||) g. The length is capped and the
  direction is kept, so the step still points downhill;
* by value: clip every entry to [-c, c]. Cheap, but the entries are capped unevenly, so the
  direction changes; :func:`angle_between` measures by how much.

Clipping is the standard defence against the huge gradients of cliffs and exploding gradients.

References: Mikolov, "Statistical language models based on neural networks", PhD thesis (2012),
for value clipping; Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent neural
networks", ICML (2013), for clipping by norm; Goodfellow, Bengio & Courville, *Deep Learning*,
sec. 10.11.1 (2016).

Every function takes gradients as a list or tuple of arrays, one per parameter, of any shapes
(a bare array is refused: its rows are not separate parameters), and never modifies them. A
wrong type raises TypeError; an empty list, a bad limit or (where a direction or a rescaling is
needed) a NaN, infinite or all-zero gradient raises ValueError naming the argument.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lesson_code._checks import finite_array, positive_number


def _as_arrays(gradients: object, name: str, *, finite: bool) -> list[np.ndarray]:
    """Return ``gradients`` as a list of float64 arrays, checking that it is a non-empty list."""
    # A bare array is refused rather than iterated: its rows are not separate parameters.
    if not isinstance(gradients, (list, tuple)):
        raise TypeError(
            f"{name} must be a list or tuple of arrays (one per parameter), "
            f"got {type(gradients).__name__}"
        )
    if len(gradients) == 0:
        raise ValueError(f"{name} must contain at least one array")
    if finite:
        return [finite_array(g, f"{name}[{i}]") for i, g in enumerate(gradients)]
    arrays = []
    for i, g in enumerate(gradients):
        try:
            arrays.append(np.asarray(g, dtype=np.float64))
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"{name}[{i}] must be an array of numbers, got {type(g).__name__}"
            ) from error
    return arrays


def _norm(arrays: list[np.ndarray]) -> float:
    # Dividing by the largest entry first keeps the sum of squares from overflowing when the
    # entries are large but finite, which is exactly when clipping matters.
    largest = max((float(np.max(np.abs(a))) for a in arrays if a.size), default=0.0)
    if largest == 0.0 or not np.isfinite(largest):
        return largest
    return largest * float(np.sqrt(sum(np.sum(np.square(a / largest)) for a in arrays)))


def global_norm(gradients: Sequence[np.ndarray]) -> float:
    """||g|| = sqrt(sum_i sum_j g_ij^2) over every entry j of every array i, as one vector.

    Never overflows for finite entries; ``inf`` if an entry is infinite and ``nan`` if one is
    NaN, so a training loop can record a blown-up gradient.

    >>> print(global_norm([np.array([3.0]), np.array([[4.0, 0.0]])]))
    5.0
    """
    arrays = _as_arrays(gradients, "gradients", finite=False)
    if any(np.isnan(a).any() for a in arrays):
        return float("nan")
    return _norm(arrays)


def clip_by_global_norm(
    gradients: Sequence[np.ndarray], max_norm: float
) -> tuple[list[np.ndarray], float]:
    """g <- g min(1, max_norm / ||g||): cap the global norm at ``max_norm`` > 0, keep the direction.

    Returns
    -------
    clipped : list of numpy.ndarray
        Float64 copies, rescaled if the norm exceeded ``max_norm``.
    norm : float
        The global norm *before* clipping (worth logging: it shows how often clipping fired).

    A NaN or infinite gradient raises ValueError: inf * 0 is NaN, so rescaling cannot repair
    it and the caller must stop or skip the step.

    Examples
    --------
    >>> clipped, norm = clip_by_global_norm([np.array([3.0]), np.array([4.0])], max_norm=1.0)
    >>> print(norm, [np.round(a, 12).tolist() for a in clipped], global_norm(clipped))
    5.0 [[0.6], [0.8]] 1.0
    """
    max_norm = positive_number(max_norm, "max_norm")
    arrays = _as_arrays(gradients, "gradients", finite=False)
    norm = global_norm(arrays)
    if not np.isfinite(norm):
        raise ValueError(
            f"gradients are not finite (global norm is {norm}); clipping cannot rescale NaN "
            "or infinite entries"
        )
    if norm <= max_norm:
        return [a.copy() for a in arrays], norm
    scale = max_norm / norm
    return [a * scale for a in arrays], norm


def clip_by_value(gradients: Sequence[np.ndarray], limit: float) -> list[np.ndarray]:
    """g_ij <- max(-limit, min(limit, g_ij)), entry by entry, for ``limit`` > 0.

    Entries are capped independently, so unlike :func:`clip_by_global_norm` this generally
    turns the gradient. Returns clipped float64 copies in the same shapes.

    >>> print([a.tolist() for a in clip_by_value([np.array([0.5, -3.0, 10.0])], limit=1.0)])
    [[0.5, -1.0, 1.0]]
    """
    limit = positive_number(limit, "limit")
    arrays = _as_arrays(gradients, "gradients", finite=True)
    return [np.clip(a, -limit, limit) for a in arrays]


def _flat_pair(gradients_a: object, gradients_b: object) -> tuple[np.ndarray, np.ndarray]:
    a = _as_arrays(gradients_a, "gradients_a", finite=True)
    b = _as_arrays(gradients_b, "gradients_b", finite=True)
    shapes_a, shapes_b = [x.shape for x in a], [x.shape for x in b]
    if shapes_a != shapes_b:
        raise ValueError(
            f"gradients_a and gradients_b must have the same array shapes, got {shapes_a} "
            f"and {shapes_b}"
        )
    flat_a = np.concatenate([x.ravel() for x in a])
    flat_b = np.concatenate([x.ravel() for x in b])
    for name, flat in (("gradients_a", flat_a), ("gradients_b", flat_b)):
        if not np.any(flat):
            raise ValueError(f"{name} is zero everywhere, so it has no direction")
    # Unit vectors make the products below immune to overflow and to the scale of the inputs.
    return flat_a / _norm([flat_a]), flat_b / _norm([flat_b])


def cosine_similarity(
    gradients_a: Sequence[np.ndarray], gradients_b: Sequence[np.ndarray]
) -> float:
    """cos(theta) = <a, b> / (||a|| ||b||), in [-1, 1], for two gradients of the same shapes.

    >>> print(cosine_similarity([np.array([1.0, 0.0])], [np.array([1.0, 1.0])]))
    0.7071067811865475...
    """
    unit_a, unit_b = _flat_pair(gradients_a, gradients_b)
    return float(np.clip(unit_a @ unit_b, -1.0, 1.0))


def angle_between(
    gradients_a: Sequence[np.ndarray], gradients_b: Sequence[np.ndarray]
) -> float:
    """The angle in degrees, in [0, 180], between two gradients of the same shapes.

    theta = 2 atan2(||u - v||, ||u + v||) with u = a/||a||, v = b/||b||: arccos(<u, v>), but
    accurate for tiny angles, where arccos loses half the digits.

    Value clipping turns a gradient dominated by one entry:

    >>> g = [np.array([10.0, 1.0])]
    >>> print(round(angle_between(g, clip_by_value(g, limit=1.0)), 2))
    39.29
    """
    unit_a, unit_b = _flat_pair(gradients_a, gradients_b)
    difference = float(np.linalg.norm(unit_a - unit_b))
    total = float(np.linalg.norm(unit_a + unit_b))
    return float(np.degrees(2.0 * np.arctan2(difference, total)))
