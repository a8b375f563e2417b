"""Two-dimensional loss surfaces that show, one at a time, what makes gradient descent hard.

Each :class:`Landscape` knows its value, its analytic gradient and Hessian, its minima and a
window to draw it in:

* ``round_bowl`` x^2 + y^2 and ``elliptic_bowl`` x^2 + 4y^2: the steepest-descent direction is
  perpendicular to the contours, so it points at the minimum of the round bowl but not of the
  elliptic one, where descent zig-zags;
* ``convex_g`` g(x, y) = x^2 + y^2 - 2x - 2y + 6, a convex bowl with the unique minimum
  g(1, 1) = 4, and ``nonconvex_G``, a bowl with three dips (local minima) of different depths;
* ``cliff``: a gentle slope that ends in a steep drop, where an unclipped step is catapulted far
  away;
* ``sloping_valley``: a narrow tilted trough whose floor descends gently, where descent bounces
  between the walls and momentum helps;
* ``saddle`` x^2 - y^2: the composition f(g(x_1), g(x_2)) = x_1^2 - x_2^2 of two convex functions,
  which is not convex.

References: Aggarwal, *Neural Networks and Deep Learning*, sec. 4.2 (2018), for the bowls, g and
G, cliffs and valleys and x_1^2 - x_2^2; Goodfellow, Bengio & Courville, *Deep Learning*,
sec. 8.2.4 (2016), for cliffs.

Points are checked: coordinates that are not finite numbers raise TypeError or ValueError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lesson_code._checks import choice, finite_array, positive_int
from lesson_code.critical_points import classify_hessian

Point = tuple[float, float]
Window = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Landscape:
    """A loss L(x, y) of two parameters, with its derivatives and where to look at it.

    Attributes
    ----------
    name : str
        The name it is looked up by in :data:`LANDSCAPES`.
    tex : str
        The formula in TeX, for titles and the text.
    description : str
        One or two sentences on what the surface shows.
    value_function : callable
        (x, y) -> L(x, y), elementwise on broadcastable arrays.
    gradient_function : callable
        (x, y) -> (dL/dx, dL/dy) at a point.
    hessian_function : callable
        (x, y) -> (d2L/dx2, d2L/dxdy, d2L/dy2) at a point.
    bounds : ((float, float), (float, float))
        The default plotting window ((xmin, xmax), (ymin, ymax)).
    minima : tuple of (float, float)
        Every local minimum inside ``bounds`` (empty if there is none).
    saddle_points : tuple of (float, float)
        Known saddle points, for marking on plots.
    """

    name: str
    tex: str
    description: str
    value_function: Callable[[np.ndarray, np.ndarray], np.ndarray]
    gradient_function: Callable[[float, float], tuple[float, float]]
    hessian_function: Callable[[float, float], tuple[float, float, float]]
    bounds: Window
    minima: tuple[Point, ...] = ()
    saddle_points: tuple[Point, ...] = ()

    def value(self, x: float | np.ndarray, y: float | np.ndarray) -> float | np.ndarray:
        """L(x, y) on broadcastable x, y, elementwise (a float for scalars), to fill a contour grid.

    Far outside ``bounds`` the value may overflow to inf.

    >>> bowl = get_landscape("elliptic_bowl")
    >>> print(bowl.value(1.0, 1.0), bowl.value(np.array([0.0, 1.0]), 0.5).tolist())
    5.0 [1.0, 2.0]
    """
        x_array, y_array = finite_array(x, "x"), finite_array(y, "y")
        try:
            x_array, y_array = np.broadcast_arrays(x_array, y_array)
        except ValueError as error:
            raise ValueError(
                f"x and y must have broadcastable shapes, got {x_array.shape} and {y_array.shape}"
            ) from error
        with np.errstate(over="ignore"):
            values = np.asarray(self.value_function(x_array, y_array), dtype=np.float64)
        return float(values) if values.ndim == 0 else values

    def gradient(self, point: np.ndarray) -> np.ndarray:
        """The analytic gradient (dL/dx, dL/dy), shape (2,), at ``point`` = (x, y).

    >>> print(get_landscape("elliptic_bowl").gradient([1.0, 1.0]).tolist())
    [2.0, 8.0]
    """
        x, y = _point(point)
        return np.array(self.gradient_function(x, y), dtype=np.float64)

    def hessian(self, point: np.ndarray) -> np.ndarray:
        """The analytic Hessian [[d2L/dx2, d2L/dxdy], [d2L/dxdy, d2L/dy2]] at ``point`` = (x, y).

    >>> print(get_landscape("saddle").hessian([0.0, 0.0]).tolist())
    [[2.0, 0.0], [0.0, -2.0]]
    """
        x, y = _point(point)
        xx, xy, yy = self.hessian_function(x, y)
        return np.array([[xx, xy], [xy, yy]], dtype=np.float64)


def _point(point: object) -> tuple[float, float]:
    array = finite_array(point, "point", ndim=1)
    if array.shape != (2,):
        raise ValueError(f"point must have shape (2,), an (x, y) pair; got shape {array.shape}")
    return float(array[0]), float(array[1])


def _newton(
    gradient: Callable[[np.ndarray], object],
    hessian: Callable[[np.ndarray], object],
    start: object,
    max_iterations: int,
    tolerance: float,
) -> np.ndarray:
    """Newton's method w <- w - H(w)^{-1} grad L(w) from ``start``, which any critical point
    attracts, for at most ``max_iterations`` steps.

    It stops once a step is below ``tolerance`` (1 + ||w||), and early, at the point reached, when
    H is singular or w leaves the finite numbers up to 1e6 (the caller checks the gradient there).
    """
    point = np.array(start, dtype=np.float64)
    for _ in range(max_iterations):
        try:
            step = np.linalg.solve(hessian(point), gradient(point))
        except np.linalg.LinAlgError:
            break
        point = point - step
        if not np.all(np.isfinite(point)) or np.abs(point).max() > 1e6:
            break
        if np.linalg.norm(step) < tolerance * (1.0 + np.linalg.norm(point)):
            break
    return point


def _newton_minimum(
    gradient_function: Callable[[float, float], tuple[float, float]],
    hessian_function: Callable[[float, float], tuple[float, float, float]],
    start: Point,
) -> Point:
    """Polish a rough minimum with :func:`_newton` until the gradient is at rounding level."""

    def hessian(point: np.ndarray) -> list[list[float]]:
        xx, xy, yy = hessian_function(*point)
        return [[xx, xy], [xy, yy]]

    point = _newton(lambda p: gradient_function(*p), hessian, start, 50, 1e-15)
    return float(point[0]), float(point[1])


# --- the quadratics ----------------------------------------------------------------------------


def _quadratic(
    name: str,
    tex: str,
    coefficients: tuple[float, float, float, float, float],
    description: str,
    *,
    bounds: Window = ((-2.0, 2.0), (-2.0, 2.0)),
    minima: tuple[Point, ...] = (),
    saddle_points: tuple[Point, ...] = (),
) -> Landscape:
    """The Landscape of L = a x^2 + b y^2 + c x + d y + e, for (a, b, c, d, e) = coefficients."""
    a, b, c, d, e = coefficients
    return Landscape(
        name=name,
        tex=tex,
        description=description,
        value_function=lambda x, y: a * x**2 + b * y**2 + c * x + d * y + e,
        # Subtracting -c keeps the sign of a zero gradient when c = 0, as 2ax alone would.
        gradient_function=lambda x, y: (2 * a * x - -c, 2 * b * y - -d),
        hessian_function=lambda x, y: (2.0 * a, 0.0, 2.0 * b),
        bounds=bounds,
        minima=minima,
        saddle_points=saddle_points,
    )


ROUND_BOWL = _quadratic(
    "round_bowl", "x^2 + y^2", (1, 1, 0, 0, 0), minima=((0.0, 0.0),),
    description="A round bowl: every contour is a circle, so the steepest-descent direction "
    "points straight at the minimum.",
)

ELLIPTIC_BOWL = _quadratic(
    "elliptic_bowl", "x^2 + 4y^2", (1, 4, 0, 0, 0), minima=((0.0, 0.0),),
    description="An elliptic bowl, four times as curved in y as in x: the steepest-descent "
    "direction misses the minimum and gradient descent zig-zags across the narrow axis.",
)

CONVEX_G = _quadratic(
    "convex_g", "g(x, y) = x^2 + y^2 - 2x - 2y + 6", (1, 1, -2, -2, 6), minima=((1.0, 1.0),),
    bounds=((-2.0, 4.0), (-2.0, 4.0)),
    description="A convex loss, (x - 1)^2 + (y - 1)^2 + 4: one bowl with the unique global "
    "minimum g(1, 1) = 4.",
)

# --- a non-convex bowl with three dips ----------------------------------------------------------

G_BOWL_CURVATURE = 0.25
"""G's bowl term is G_BOWL_CURVATURE (x^2 + y^2)."""

G_DIPS = ((-1.5, -1.0, 2.0), (1.6, -0.8, 1.4), (0.2, 1.6, 1.0))
"""(centre x, centre y, depth a) of each Gaussian dip -a exp(-(x - cx)^2 - (y - cy)^2) in G."""


def _g_dips(x: np.ndarray, y: np.ndarray) -> list[tuple[float, np.ndarray, np.ndarray, np.ndarray]]:
    return [
        (a, x - cx, y - cy, np.exp(-((x - cx) ** 2) - (y - cy) ** 2)) for cx, cy, a in G_DIPS
    ]


def _nonconvex_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return G_BOWL_CURVATURE * (x**2 + y**2) - sum(a * e for a, _, _, e in _g_dips(x, y))


def _nonconvex_gradient(x: float, y: float) -> tuple[float, float]:
    dips = _g_dips(x, y)
    return (
        2 * G_BOWL_CURVATURE * x + sum(2 * a * u * e for a, u, _, e in dips),
        2 * G_BOWL_CURVATURE * y + sum(2 * a * v * e for a, _, v, e in dips),
    )


def _nonconvex_hessian(x: float, y: float) -> tuple[float, float, float]:
    dips = _g_dips(x, y)
    return (
        2 * G_BOWL_CURVATURE + sum(2 * a * e * (1 - 2 * u * u) for a, u, _, e in dips),
        sum(-4 * a * u * v * e for a, u, v, e in dips),
        2 * G_BOWL_CURVATURE + sum(2 * a * e * (1 - 2 * v * v) for a, _, v, e in dips),
    )


NONCONVEX_G = Landscape(
    name="nonconvex_G",
    tex=r"G(x, y) = \tfrac14 (x^2 + y^2) - 2e^{-(x + 1.5)^2 - (y + 1)^2}"
    r" - 1.4e^{-(x - 1.6)^2 - (y + 0.8)^2} - e^{-(x - 0.2)^2 - (y - 1.6)^2}",
    description="A non-convex loss: a shallow bowl with three Gaussian dips of different "
    "depths, so gradient descent stops in whichever local minimum's basin it starts in.",
    value_function=_nonconvex_value,
    gradient_function=_nonconvex_gradient,
    hessian_function=_nonconvex_hessian,
    bounds=((-3.0, 3.0), (-3.0, 3.0)),
    # Each dip's centre lies in its minimum's basin; the bowl pulls the minimum a little inwards.
    minima=tuple(
        _newton_minimum(_nonconvex_gradient, _nonconvex_hessian, (cx, cy)) for cx, cy, _ in G_DIPS
    ),
)

# --- a cliff ------------------------------------------------------------------------------------

CLIFF_HEIGHT = 4.0
"""How far the loss drops at the cliff, from CLIFF_HEIGHT on the plateau to 0 below it."""

CLIFF_SHARPNESS = 10.0
"""k in tanh(k x): the drop happens over about 2/k in x, with slope up to k CLIFF_HEIGHT / 2."""


def _cliff_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    drop = 0.5 * CLIFF_HEIGHT * (1 - np.tanh(CLIFF_SHARPNESS * x))
    return drop + 0.05 * (x - 1) ** 2 + 0.5 * y**2


def _cliff_gradient(x: float, y: float) -> tuple[float, float]:
    t = np.tanh(CLIFF_SHARPNESS * x)
    return -0.5 * CLIFF_HEIGHT * CLIFF_SHARPNESS * (1 - t * t) + 0.1 * (x - 1), y


def _cliff_hessian(x: float, y: float) -> tuple[float, float, float]:
    t = np.tanh(CLIFF_SHARPNESS * x)
    return CLIFF_HEIGHT * CLIFF_SHARPNESS**2 * t * (1 - t * t) + 0.1, 0.0, 1.0


CLIFF = Landscape(
    name="cliff",
    tex=r"2\,(1 - \tanh 10x) + 0.05\,(x - 1)^2 + \tfrac12 y^2",
    description="A plateau sloping gently down in x that ends in a cliff at x = 0, a drop of 4 "
    "over about 0.2 with slope up to 20; beyond it a shallow bowl holds the minimum near "
    "(1, 0). A gradient step taken on the cliff face is catapulted far past the minimum.",
    value_function=_cliff_value,
    gradient_function=_cliff_gradient,
    hessian_function=_cliff_hessian,
    bounds=((-3.0, 8.0), (-2.0, 2.0)),
    minima=(_newton_minimum(_cliff_gradient, _cliff_hessian, (1.0, 0.0)),),
)

# --- a sloping valley ---------------------------------------------------------------------------


def _valley_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 0.05 * (x - 4) ** 2 + 5 * (y - x / 4) ** 2


SLOPING_VALLEY = Landscape(
    name="sloping_valley",
    tex=r"0.05\,(x - 4)^2 + 5\,(y - x/4)^2",
    description="A narrow valley along the line y = x/4 whose floor descends gently to the "
    "minimum at (4, 1), between walls a hundred times steeper (condition number about 113): "
    "gradient descent bounces from wall to wall and creeps along the floor; momentum "
    "accumulates the small, consistent downhill component.",
    value_function=_valley_value,
    gradient_function=lambda x, y: (0.1 * (x - 4) - 2.5 * (y - x / 4), 10 * (y - x / 4)),
    hessian_function=lambda x, y: (0.725, -2.5, 10.0),
    bounds=((-5.0, 5.0), (-2.0, 2.0)),
    minima=((4.0, 1.0),),
)

# --- a saddle -----------------------------------------------------------------------------------

SADDLE = _quadratic(
    "saddle", "x^2 - y^2", (1, -1, 0, 0, 0), saddle_points=((0.0, 0.0),),
    description="x_1^2 - x_2^2 (with x = x_1, y = x_2): built from the convex x^2 and the "
    "linear x_1 - x_2, yet not convex. The origin is a critical point but no minimum: the "
    "Hessian has eigenvalues +2 and -2.",
)

LANDSCAPES: dict[str, Landscape] = {
    landscape.name: landscape
    for landscape in (
        ROUND_BOWL,
        ELLIPTIC_BOWL,
        CONVEX_G,
        NONCONVEX_G,
        CLIFF,
        SLOPING_VALLEY,
        SADDLE,
    )
}
"""Every landscape, by name."""


def get_landscape(name: str) -> Landscape:
    """The :class:`Landscape` called ``name``, a key of :data:`LANDSCAPES`.

    >>> g = get_landscape("convex_g")
    >>> print(g.tex, g.minima, g.value(*g.minima[0]))
    g(x, y) = x^2 + y^2 - 2x - 2y + 6 ((1.0, 1.0),) 4.0
    >>> get_landscape("bowl")
    Traceback (most recent call last):
    ...
    ValueError: landscape must be one of 'round_bowl', ..., 'saddle'; got 'bowl'
    """
    return LANDSCAPES[choice(name, "landscape", LANDSCAPES)]


@dataclass(frozen=True)
class SurfacePoint:
    """A critical point of a two-parameter :class:`Landscape`."""

    point: np.ndarray
    value: float
    eigenvalues: np.ndarray
    kind: str


def landscape_critical_points(
    landscape: object, *, n_grid: int = 12, max_iterations: int = 50
) -> list[SurfacePoint]:
    """Every critical point Newton's method finds from a grid of starts over the landscape.

    From each point of an n_grid x n_grid grid (n_grid >= 2) over ``landscape.bounds``, iterate
    w <- w - H(w)^{-1} grad L(w) for up to ``max_iterations`` steps; this is attracted to critical
    points of every kind. Runs that converge inside the bounds are classified by
    :func:`~lesson_code.critical_points.classify_hessian`, merged when closer than 1e-6, and
    returned as a list of :class:`SurfacePoint` sorted by value.

    >>> for p in landscape_critical_points(get_landscape("saddle")):
    ...     print(p.kind, "at", p.point.tolist(), "eigenvalues", p.eigenvalues.tolist())
    saddle at [0.0, 0.0] eigenvalues [-2.0, 2.0]
    """
    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a Landscape, got {type(landscape).__name__}")
    n_grid = positive_int(n_grid, "n_grid")
    if n_grid < 2:
        raise ValueError(f"n_grid must be >= 2, got {n_grid}")
    max_iterations = positive_int(max_iterations, "max_iterations")
    (x_low, x_high), (y_low, y_high) = landscape.bounds
    found: list[SurfacePoint] = []
    for x in np.linspace(x_low, x_high, n_grid):
        for y in np.linspace(y_low, y_high, n_grid):
            point = _newton(landscape.gradient, landscape.hessian, (x, y), max_iterations, 1e-13)
            if not np.all(np.isfinite(point)):
                continue
            inside = x_low <= point[0] <= x_high and y_low <= point[1] <= y_high
            scale = 1.0 + np.abs(landscape.value(*point))
            if not inside or np.linalg.norm(landscape.gradient(point)) > 1e-9 * scale:
                continue
            if any(np.linalg.norm(point - p.point) < 1e-6 for p in found):
                continue
            hessian = landscape.hessian(point)
            point = np.where(np.abs(point) < 1e-12, 0.0, point)  # no -0.0 in printouts
            found.append(
                SurfacePoint(
                    point, float(landscape.value(*point)), np.linalg.eigvalsh(hessian),
                    classify_hessian(hessian),
                )
            )
    return sorted(found, key=lambda p: p.value)
