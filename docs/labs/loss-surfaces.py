# %% [markdown]
# # Lab: descent on loss surfaces
#
# Companion to the chapters [Curvature: zig-zags, cliffs and valleys](../curvature.md) and
# [Convexity, local minima and saddle points](../convexity-and-saddle-points.md). Change the
# knobs in the next cell and run the notebook top to bottom.
#
# Part 1 runs gradient descent (with optional momentum and step clipping) on the bowl
# $L = x^2 + K y^2$, draws the path over the contours and compares the measured speed with the
# theory: the error shrinks by $\max_i \lvert 1 - \eta \lambda_i \rvert$ per step for plain
# descent, and by the spectral radius of the heavy-ball iteration with momentum.
# Part 2 starts gradient descent from several points of the non-convex surface $G$ and reports
# which local minimum each run ends in. Part 3 starts descent next to the saddle of
# $x_1^2 - x_2^2$ and measures how long it lingers there, against saddle-free Newton.

# %%
K = 10.0                  # curvature ratio: L = x^2 + K y^2 (K = 1 is a round bowl)
LEARNING_RATE = 0.09      # try values around 2 / (2K), the edge of stability
MOMENTUM = 0.0            # heavy-ball beta in [0, 1); 0 is plain gradient descent
START = (-1.8, 0.9)       # starting point (x, y)
CLIP = None               # e.g. 0.2: longest allowed step; None: no clipping
STEPS = 60                # number of updates

G_STARTS = [(-2.5, 2.5), (2.5, 2.5), (-2.5, -2.5), (2.5, -2.5), (0.0, 0.0), (1.0, -0.2)]
G_LEARNING_RATE = 0.1
G_STEPS = 300

SADDLE_OFFSETS = [1e-2, 1e-4, 1e-6, 1e-8]  # distance of each start (1.5, offset) from the stable axis
SADDLE_LEARNING_RATE = 0.1

# %%
import matplotlib.pyplot as plt
import numpy as np

from lesson_code import optim

hessian = np.diag([2.0, 2.0 * K])
eigenvalues = np.diag(hessian)


def loss(x, y):
    return x**2 + K * y**2


def gradient(w):
    return hessian @ w


def predicted_factor(learning_rate, momentum):
    """Per-step contraction of heavy ball (plain descent if momentum = 0) on this quadratic.

    Along an eigenvector with eigenvalue lam the pair (x_{k+1}, x_k) is multiplied by
    [[1 + beta - eta lam, -beta], [1, 0]]; the slowest direction's spectral radius decides.
    """
    radii = [
        np.max(np.abs(np.linalg.eigvals([[1 + momentum - learning_rate * lam, -momentum], [1.0, 0.0]])))
        for lam in eigenvalues
    ]
    return float(max(radii))


print(f"eigenvalues {eigenvalues}, condition number kappa = {optim.condition_number(hessian):.1f}")
print(f"stable if eta < 2 / lambda_max = {optim.stable_learning_rate(hessian):.4f} (without momentum)")
print(f"best fixed step eta* = {optim.optimal_fixed_learning_rate(hessian):.4f}, rate (kappa-1)/(kappa+1) = {optim.gradient_descent_rate(hessian):.4f}")
best_eta, best_beta = optim.heavy_ball_parameters(hessian)
print(f"Polyak's heavy ball: eta = {best_eta:.4f}, beta = {best_beta:.4f}, rate = {optim.heavy_ball_rate(hessian):.4f}")

# %%
path = optim.gradient_descent(gradient, START, LEARNING_RATE, STEPS, momentum=MOMENTUM, max_step_norm=CLIP)
distance = np.linalg.norm(path, axis=1)
diverged = len(path) < STEPS + 1 or distance[-1] > distance[0]
print(f"your run: eta = {LEARNING_RATE}, beta = {MOMENTUM}, clip = {CLIP}")
print(f"  distance to the minimum: start {distance[0]:.3g}, end {distance[-1]:.3g}" + ("  (diverging)" if diverged else ""))
if distance[-1] > 1e-12:
    print(f"  measured factor per step {optim.measured_rate(path, [0.0, 0.0]):.4f}")
else:
    print("  reached rounding level; lower STEPS to measure the rate")
print(f"  predicted factor per step {predicted_factor(LEARNING_RATE, MOMENTUM):.4f}"
      + ("  (clipping changes the early steps, not the rate near the minimum)" if CLIP else ""))

# %%
figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
x, y = np.meshgrid(np.linspace(-2, 2, 200), np.linspace(-2, 2, 200))
left.contour(x, y, loss(x, y), levels=np.geomspace(0.02, loss(2, 2), 14), colors="0.6", linewidths=0.7)
shown = np.all(np.abs(path) <= 2.5, axis=1)
left.plot(path[shown, 0], path[shown, 1], marker="o", markersize=3)
left.plot(0, 0, marker="*", color="k", markersize=10)
left.set(xlim=(-2, 2), ylim=(-2, 2), xlabel="x", ylabel="y", title=f"$x^2 + {K:g} y^2$")
left.set_aspect("equal")
steps = np.arange(len(path))
right.semilogy(steps, distance, label="measured")
right.semilogy(steps, distance[0] * predicted_factor(LEARNING_RATE, MOMENTUM) ** steps, "--", label="predicted rate")
right.set(xlabel="step k", ylabel="distance to the minimum")
right.legend()
# alt: left, the descent path over the contours of the quadratic towards the minimum (a star); right, the distance to the minimum per step, measured and predicted, log scale
plt.show()

# %% [markdown]
# ## Part 2: where does descent end on a non-convex surface?

# %%
from lesson_code.convexity import descend_from_starts
from lesson_code.landscapes import get_landscape

G = get_landscape("nonconvex_G")
runs = descend_from_starts(G, G_STARTS, learning_rate=G_LEARNING_RATE, n_steps=G_STEPS)
for number, (mx, my) in enumerate(G.minima, start=1):
    print(f"minimum {number}: ({mx:+.3f}, {my:+.3f}), G = {G.value(mx, my):.4f}")
for run in runs:
    where = f"minimum {run.minimum + 1}" if run.minimum is not None else "not at a minimum yet"
    print(f"start ({run.start[0]:+.2f}, {run.start[1]:+.2f}) -> {where}, G = {run.value:.4f}")

# %%
figure, ax = plt.subplots(figsize=(5.5, 5))
(x_low, x_high), (y_low, y_high) = G.bounds
x, y = np.meshgrid(np.linspace(x_low, x_high, 150), np.linspace(y_low, y_high, 150))
ax.contourf(x, y, G.value(x, y), levels=14, cmap="Greys_r", alpha=0.6)
for run in runs:
    colour = f"C{run.minimum}" if run.minimum is not None else "k"
    ax.plot(run.path[:, 0], run.path[:, 1], color=colour)
    ax.plot(*run.start, marker="o", color=colour)
for mx, my in G.minima:
    ax.plot(mx, my, marker="*", color="k", markersize=12)
ax.set(xlabel="x", ylabel="y", title="gradient descent on G")
ax.set_aspect("equal")
# alt: descent paths from each start over the contours of G, coloured by the minimum they reach; stars mark the minima
plt.show()

# %% [markdown]
# ## Part 3: how long does descent linger at a saddle?
#
# On $L = x_1^2 - x_2^2$ one gradient step multiplies $x_1$ by $1 - 2\eta$ and the offset $x_2$
# by $1 + 2\eta$: descent from $(1.5, \epsilon)$ slides towards the saddle at the origin and leaves
# only once the offset has grown, after about $\ln(1/\epsilon) / \ln(1 + 2\eta)$ steps.
# Saddle-free Newton divides the gradient by $\lvert H \rvert$ (the Hessian with its eigenvalues made
# positive) and doubles the offset at every step.

# %%
saddle = get_landscape("saddle")


def steps_to_leave(step, start, limit=2000):
    """Steps until the point is more than 1 away from the saddle after its closest approach."""
    point, closest, steps = np.array(start, dtype=float), np.inf, 0
    while steps < limit:
        point = step(point)
        steps += 1
        distance = np.linalg.norm(point)
        closest = min(closest, distance)
        if distance > 1.0 and closest < 1.0:
            return steps
    return None


def gradient_step(point):
    return point - SADDLE_LEARNING_RATE * saddle.gradient(point)


def saddle_free_newton_step(point):
    eigenvalues, vectors = np.linalg.eigh(saddle.hessian(point))
    absolute_hessian = vectors @ np.diag(np.abs(eigenvalues)) @ vectors.T
    return point - np.linalg.solve(absolute_hessian, saddle.gradient(point))


descent_steps = [steps_to_leave(gradient_step, (1.5, offset)) for offset in SADDLE_OFFSETS]
newton_steps = [steps_to_leave(saddle_free_newton_step, (1.5, offset)) for offset in SADDLE_OFFSETS]
for offset, d, n in zip(SADDLE_OFFSETS, descent_steps, newton_steps, strict=True):
    print(f"offset {offset:.0e}: gradient descent leaves after {d} steps, saddle-free Newton after {n}")

# %%
figure, ax = plt.subplots(figsize=(6, 4))
ax.semilogx(SADDLE_OFFSETS, descent_steps, marker="o", label=f"gradient descent, eta = {SADDLE_LEARNING_RATE}")
ax.semilogx(SADDLE_OFFSETS, newton_steps, marker="s", label="saddle-free Newton")
ax.set(xlabel="offset from the stable axis", ylabel="steps to leave the unit disc")
ax.legend()
# alt: steps needed to get away from the saddle against the starting offset on a log axis; both grow linearly in log(1/offset), gradient descent several times more steeply than saddle-free Newton
plt.show()

# %% [markdown]
# ## Things to try
#
# - Part 1: set `LEARNING_RATE` just above and just below `2 / lambda_max` and watch the steep
#   coordinate flip sign; then raise `K` to 100 and compare the steps plain descent needs with
#   Polyak's heavy ball (`MOMENTUM` and `LEARNING_RATE` from the printed parameters).
# - Part 1: with `K = 100`, set `MOMENTUM = 0.9` and a learning rate near `2 * (1 + 0.9) / (2K)`:
#   momentum widens the stable range to $\eta\lambda < 2(1 + \beta)$.
# - Part 2: add starts to `G_STARTS` until every minimum has a basin you can see; which start
#   sits closest to a boundary between two basins?
# - Part 3: halve `SADDLE_LEARNING_RATE`. How do the extra steps per factor of 100 in the offset
#   change, and does that match $\ln 100 / \ln(1 + 2\eta)$?

