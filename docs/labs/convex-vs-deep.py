# %% [markdown]
# # Lab: convex baselines vs deep networks on the two spirals
#
# Change the knobs in the next cell and run the notebook top to bottom. It fits a linear SVM
# from several starting points, an SVM on fixed Gaussian (RBF) features, and a deep network from
# several seeds, all on the same two spirals. It reports how far apart their results end, their
# accuracy on the training points and on held-out points (a second draw of the spirals with
# another seed: the same arms, fresh noise), and draws their decision boundaries and the deep
# network's training curves.
#
# The lab goes with two chapters: [convex baselines vs deep nets](../convex-baselines-vs-deep-nets.md)
# and [what fixed it](../what-fixed-it.md). With the default knobs it runs in a few seconds.

# %%
N_POINTS = 100          # points per class (two classes)
NOISE = 0.05            # standard deviation of the noise added to every coordinate
TEST_SEED = 1           # seed of the held-out draw (the training draw has seed 0)
LAM = 0.01              # penalty lambda of both SVMs: lambda/2 ||w||^2 + mean hinge (C = 1/(n lambda))
RBF_WIDTH = 0.1         # standard deviation of the Gaussian bump on each training point
DEPTH = 4               # hidden layers of the deep network
WIDTH = 24              # units per hidden layer
ACTIVATION = "relu"     # "sigmoid", "tanh", "relu", "leaky_relu"
INIT = "he"             # "normal", "xavier", "he", "nielsen"
NETWORK = "plain"       # "plain", "batchnorm" (batch norm before every hidden activation), "residual"
LEARNING_RATE = 0.5
EPOCHS = 300            # full-batch gradient-descent steps
SEEDS = 5               # random starts for the SVMs and the deep network
STANDARDIZE = False     # standardize the inputs to mean 0, standard deviation 1 first

# %%
import matplotlib.pyplot as plt
import numpy as np

from lesson_code.comparisons import (
    convex_restarts,
    predict_labels,
    rbf_features,
    spiral_data,
    train_classifier,
)
from lesson_code.datasets import Standardizer
from lesson_code.spiral_solutions import grid_labels, pairwise_disagreement

X, y = spiral_data(N_POINTS, noise=NOISE)
X_test, y_test = spiral_data(N_POINTS, noise=NOISE, seed=TEST_SEED)
if STANDARDIZE:  # with the training set's mean and deviation, applied to both sets
    scaler = Standardizer.fit(X)
    X, X_test = scaler.transform(X), scaler.transform(X_test)
sizes = (2,) + (WIDTH,) * DEPTH + (1,)
print(f"{y.size} training and {y_test.size} held-out points; deep network: {NETWORK}, sizes {sizes},"
      f" {ACTIVATION}, {INIT} initialization")

# %% [markdown]
# ## 1. The linear SVM from several starts
#
# The linear SVM minimizes $F(w, b) = \frac{\lambda}{2}\lVert w\rVert^2 + \frac{1}{n}\sum_i \max(0, 1 - s_i(w\cdot x_i + b))$,
# a convex function. Every start should end at the same objective and the same $(w, b)$.

# %%
svm = convex_restarts("svm", X, y, lam=LAM, n_starts=SEEDS, scale=10.0)
print(f"starts up to {svm.start_spread:.1f} apart; {svm.summary()}")
print(f"accuracy: training {svm.accuracies[0]:.1%}, held-out {svm.fitted.score(X_test, y_test):.1%}")

# %% [markdown]
# ## 2. The same SVM on fixed nonlinear features
#
# Each training point $x_j$ becomes a feature $\phi_j(x) = \exp(-\lVert x - x_j\rVert^2 / (2\,\sigma^2))$
# with $\sigma$ = `RBF_WIDTH`, and the linear SVM is fitted on these `2 * N_POINTS` features. Only
# the weights are learned, so the problem is still convex.

# %%
features, features_test = (rbf_features(points, centers=X, width=RBF_WIDTH) for points in (X, X_test))
bumps = convex_restarts("svm", features, y, lam=LAM, n_starts=min(SEEDS, 3), scale=1.0)
print(bumps.summary(decimals=6))
print(f"accuracy: training {bumps.accuracies[0]:.1%}, held-out {bumps.fitted.score(features_test, y_test):.1%}")

# %% [markdown]
# ## 3. The deep network from several seeds
#
# Full-batch gradient descent on the cross-entropy: the seed only draws the initial weights. The
# last line compares the seeds' decision boundaries: on what fraction of a grid over the plane
# two seeds predict different classes (the median over pairs). Convex fits from different starts
# are the same function, so for them this is 0.

# %%
runs = [
    train_classifier(X, y, kind=NETWORK, sizes=sizes, activation=ACTIVATION, init=INIT,
                     learning_rate=LEARNING_RATE, epochs=EPOCHS, seed=seed)
    for seed in range(SEEDS)
]
test_accuracies = [np.mean(predict_labels(run.net, X_test, run.reference) == y_test) for run in runs]
for seed, (run, test_accuracy) in enumerate(zip(runs, test_accuracies, strict=True)):
    note = " (diverged: the loss stopped being finite)" if run.diverged else ""
    print(f"seed {seed}: loss {run.losses[0]:.3g} -> {run.final_loss:.4g}, accuracy: training {run.accuracy:.1%},"
          f" held-out {test_accuracy:.1%}{note}")
axis = np.linspace(min(X.min(), X_test.min()) - 0.2, max(X.max(), X_test.max()) + 0.2, 100)
if SEEDS > 1:
    labels = np.concatenate([grid_labels([run.net], axis, run.reference) for run in runs])
    print(f"seeds disagree on {np.median(pairwise_disagreement(labels)):.1%} of the plane (median over pairs)")

# %% [markdown]
# ## 4. Decision boundaries and training curves
#
# The class each model predicts over the plane, with the training points on top, for the linear
# SVM, the RBF-feature SVM and the deep network's seed with the lowest final loss; and the
# training loss of every seed, with the cross-entropy of the best *linear* model (logistic
# regression) for comparison.

# %%
logistic = convex_restarts("logistic", X, y, lam=LAM, n_starts=1).fitted
p = np.clip(logistic.predict_proba(X)[:, 1], 1e-12, 1 - 1e-12)
linear_cross_entropy = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

grid = np.column_stack([g.ravel() for g in np.meshgrid(axis, axis)])
losses = np.array([run.final_loss if np.isfinite(run.final_loss) else np.inf for run in runs])
best = runs[int(np.argmin(losses))]
panels = [
    ("linear SVM", svm.fitted.predict(grid)),
    (f"RBF features, width {RBF_WIDTH}", bumps.fitted.predict(rbf_features(grid, centers=X, width=RBF_WIDTH))),
    ("deep net, lowest-loss seed", predict_labels(best.net, grid, best.reference)),
]
fig, axes = plt.subplots(2, 2, figsize=(10, 9), layout="constrained")
for ax, (title, labels) in zip(axes.flat, panels, strict=False):  # the fourth axes gets the curves
    ax.contourf(axis, axis, labels.reshape(axis.size, axis.size), levels=[-0.5, 0.5, 1.5],
                colors=["#c6dbef", "#fcbba1"])
    for label, colour in ((0, "#1f77b4"), (1, "#d62728")):
        ax.plot(X[y == label, 0], X[y == label, 1], "o", markersize=2.5, color=colour, label=f"class {label}")
    ax.set_title(title)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
axes[0, 0].legend(loc="lower right")
curves = axes[1, 1]
for seed, run in enumerate(runs):
    curves.semilogy(np.arange(run.losses.size), run.losses, linewidth=1, label=f"seed {seed}")
curves.axhline(linear_cross_entropy, color="0.3", linestyle=":", label="best linear model")
curves.set_xlabel("epoch")
curves.set_ylabel("cross-entropy on the training set")
curves.legend(fontsize=8)
# alt: four panels: the class regions of the linear SVM, of the SVM on Gaussian features and of the lowest-loss deep-net seed over the training points, and every seed's training cross-entropy per epoch beside the best linear model's
plt.show()

# %% [markdown]
# ## Things to try
#
# The numbers below were measured with the other knobs at their defaults; long runs take a few
# seconds per seed.
#
# - `ACTIVATION = "tanh"`, `INIT = "xavier"`: good gradient flow at initialization, yet a long
#   plateau at the line's accuracy. `EPOCHS = 1000` is not enough: at learning rates from 0.1
#   to 2, most seeds end below 80%. `EPOCHS = 3000` with `LEARNING_RATE = 0.5` gets every seed
#   above 95%, and so does `STANDARDIZE = True` with `LEARNING_RATE = 1.0` and `EPOCHS = 1000`.
# - `ACTIVATION = "sigmoid"`, `INIT = "normal"`, `LEARNING_RATE = 0.3`: the classic setting. Its
#   loss curves stay near the linear model's, and its boundary is nearly a line.
# - Keep the sigmoid and set `NETWORK = "batchnorm"`, `LEARNING_RATE = 1.0`: the network starts
#   to follow the arms. How well differs a lot from seed to seed, and from one machine to another
#   for the same seed: these runs are chaotic, so compare the spread of several seeds, not one.
# - `NETWORK = "residual"`, `DEPTH = 20`: with ReLU units every block adds a non-negative
#   ReLU(z) to the signal, so the activations grow block after block; the first loss
#   is in the thousands and training turns to `nan` within a few steps, at any learning rate down
#   to 0.01. Switch to `ACTIVATION = "tanh"`, `INIT = "xavier"` (blocks that add a term of mean
#   about 0) with `LEARNING_RATE = 0.03`: the residual network then fits the spirals in 300 steps,
#   where the plain tanh network of the same depth stays at the line's accuracy.
# - `EPOCHS = 3000`: at `LEARNING_RATE = 0.5` the spikes of the loss curves grow and knock some
#   seeds back; at `LEARNING_RATE = 0.2` every seed ends near 99%, yet the seeds still disagree on
#   a few percent of the plane: different solutions, not unfinished training.
# - `RBF_WIDTH = 0.5`: the wide bumps barely beat the line at `LAM = 0.01`. Lower `LAM` to 1e-4
#   or 1e-5: the penalty was holding them back most, though width 0.1 still does better.
# - `RBF_WIDTH = 0.01`: tiny bumps fit every training point, and about half of the held-out
#   points. Only the held-out column shows the overfitting.
# - `NOISE = 0.15`: the arms start to overlap, no model reaches 100%, and the held-out accuracy
#   falls below the training accuracy for every model.
