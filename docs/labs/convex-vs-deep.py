# %% [markdown]
# # Lab: convex baselines vs deep networks on the two spirals
#
# Change the knobs in the next cell and run the notebook top to bottom. It fits a linear SVM
# from several starting points and trains a deep network from several seeds on the same two
# spirals, prints how far apart their results end, and draws their decision boundaries and the
# deep network's training curves.
#
# The lab goes with three chapters: [convex baselines vs deep nets](../convex-baselines-vs-deep-nets.md),
# [how hard is training, in theory](../hardness-of-training.md) and
# [what fixed it](../what-fixed-it.md). With the default knobs it runs in a few seconds.

# %%
N_POINTS = 100          # points per class (two classes)
NOISE = 0.05            # standard deviation of the noise added to every coordinate
DEPTH = 4               # hidden layers of the deep network
WIDTH = 24              # units per hidden layer
ACTIVATION = "relu"     # "sigmoid", "tanh", "relu", "leaky_relu"
INIT = "he"             # "normal", "xavier", "he", "nielsen"
NETWORK = "plain"       # "plain", "batchnorm" (batch norm before every hidden activation), "residual"
LEARNING_RATE = 0.5
EPOCHS = 300            # full-batch gradient-descent steps
SEEDS = 5               # random starts for both the SVM and the deep network
STANDARDIZE = False     # standardize the inputs to mean 0, standard deviation 1 first

# %%
import matplotlib.pyplot as plt
import numpy as np

from lesson_code.comparisons import (
    convex_restarts, predict_labels, spiral_data, spread_text, train_classifier,
)
from lesson_code.datasets import standardize

X, y = spiral_data(N_POINTS, noise=NOISE)
if STANDARDIZE:
    X, _ = standardize(X)
sizes = (2,) + (WIDTH,) * DEPTH + (1,)
print(f"{y.size} points; inputs: mean {np.round(X.mean(axis=0), 3)}, std {np.round(X.std(axis=0), 3)}")
print(f"deep network: {NETWORK}, sizes {sizes}, {ACTIVATION}, {INIT} initialization")

# %% [markdown]
# ## 1. The convex model from several starts
#
# The linear SVM minimizes $F(w, b) = \frac{\lambda}{2}\lVert w\rVert^2 + \frac{1}{n}\sum_i \max(0, 1 - s_i(w\cdot x_i + b))$,
# a convex function. Every start should end at the same objective and the same $(w, b)$.

# %%
svm = convex_restarts("svm", X, y, n_starts=SEEDS, scale=10.0)
print(f"starts up to {svm.start_spread:.1f} apart")
print("final objectives:", ", ".join(f"{value:.10f}" for value in svm.objectives))
print(f"spread of the objectives: {spread_text(svm.objective_spread, svm.objectives.min())},"
      f" of (w, b): {spread_text(svm.parameter_spread, svm.parameter_size)}")
print(f"training accuracy {svm.accuracies[0]:.1%}")

# %% [markdown]
# ## 2. The deep network from several seeds
#
# Full-batch gradient descent on the cross-entropy: the seed only draws the initial weights.

# %%
runs = [
    train_classifier(X, y, kind=NETWORK, sizes=sizes, activation=ACTIVATION, init=INIT,
                     learning_rate=LEARNING_RATE, epochs=EPOCHS, seed=seed)
    for seed in range(SEEDS)
]
for seed, run in enumerate(runs):
    note = " (diverged: the loss stopped being finite)" if run.diverged else ""
    print(f"seed {seed}: final loss {run.final_loss:.4g}, training accuracy {run.accuracy:.1%}{note}")
losses = np.array([run.final_loss for run in runs])
finite = losses[np.isfinite(losses)]
if finite.size:
    print(f"final loss over seeds: min {finite.min():.4g}, median {np.median(finite):.4g}, max {finite.max():.4g}")

# %% [markdown]
# ## 3. Decision boundaries and training curves
#
# Left: the SVM. Middle: the seed with the lowest final loss. Right: the training loss of every
# seed, with the cross-entropy of the best *linear* model (logistic regression) for comparison.

# %%
logistic = convex_restarts("logistic", X, y, n_starts=1).fitted
p = np.clip(logistic.predict_proba(X)[:, 1], 1e-12, 1 - 1e-12)
linear_cross_entropy = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

grid_x = np.linspace(X[:, 0].min() - 0.2, X[:, 0].max() + 0.2, 120)
grid_y = np.linspace(X[:, 1].min() - 0.2, X[:, 1].max() + 0.2, 120)
grid = np.column_stack([g.ravel() for g in np.meshgrid(grid_x, grid_y)])
best = runs[int(np.nanargmin(np.where(np.isfinite(losses), losses, np.nan)))] if finite.size else runs[0]
panels = [
    ("linear SVM", (svm.fitted.predict(grid) == svm.fitted.classes_[1]).astype(int)),
    (f"deep net, best seed ({best.accuracy:.0%})", predict_labels(best.net, grid, best.reference)),
]
fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), layout="constrained")
for ax, (title, labels) in zip(axes, panels):
    ax.contourf(grid_x, grid_y, labels.reshape(grid_y.size, grid_x.size), levels=[-0.5, 0.5, 1.5],
                colors=["#c6dbef", "#fcbba1"])
    for label, colour in ((0, "#1f77b4"), (1, "#d62728")):
        ax.plot(X[y == label, 0], X[y == label, 1], "o", markersize=2.5, color=colour, label=f"class {label}")
    ax.set_title(title)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
axes[0].legend(loc="lower right")
for seed, run in enumerate(runs):
    axes[2].semilogy(np.arange(run.losses.size), run.losses, linewidth=1, label=f"seed {seed}")
axes[2].axhline(linear_cross_entropy, color="0.3", linestyle=":", label="best linear model")
axes[2].set_xlabel("epoch")
axes[2].set_ylabel("cross-entropy on the training set")
axes[2].legend(fontsize=8)
# alt: three panels: the class regions of the linear SVM and of the best deep-net seed over the data, and every seed's training cross-entropy per epoch beside the best linear model's
plt.show()

# %% [markdown]
# ## Things to try
#
# - `ACTIVATION = "sigmoid"`, `INIT = "normal"`, `LEARNING_RATE = 0.3`: the classic setting. Its
#   loss curves stay near the linear model's, and its boundary is nearly a line.
# - Keep the sigmoid and set `NETWORK = "batchnorm"`, `LEARNING_RATE = 1.0`: the same weights,
#   normalized before every activation, and the network starts to follow the arms. How well
#   differs a lot from seed to seed, and from one machine to another for the same seed: these
#   runs are chaotic, so compare the spread of several seeds, not one.
# - `ACTIVATION = "tanh"`, `INIT = "xavier"`: good gradient flow at initialization, yet a long
#   plateau. Try `EPOCHS = 1000` or other learning rates.
# - `NETWORK = "residual"`: at this depth it trains about as well as the plain network. Raise
#   `DEPTH` to 20 and compare the two: every residual block adds to the signal, so the first loss
#   is larger, and you may need a smaller `LEARNING_RATE`.
# - `STANDARDIZE = True`: the spiral inputs are already centred, so this only rescales them.
# - `NOISE = 0.15`: the arms start to overlap and no model can reach 100%.
# - `SEEDS = 10`, `DEPTH = 8`: more starts and a deeper network; the SVM's spread stays at the
#   rounding floor.
