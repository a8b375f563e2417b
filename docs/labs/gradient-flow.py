# %% [markdown]
# # Lab: gradient flow through a deep network
#
# Change the knobs in the next cell and run the notebook top to bottom. It builds a random
# network, measures the norm of $\partial C / \partial W^l$ for every layer at initialization,
# looks at the product of its layer Jacobians, then trains it twice from the same start, with and
# without gradient clipping, and plots the loss and the gradient norm of every step.
#
# The lab goes with three chapters: [backprop is a product](../backprop-is-a-product.md),
# [vanishing gradients](../vanishing-gradients.md) and
# [exploding gradients and clipping](../exploding-gradients.md). It runs in a few seconds on a
# laptop CPU.

# %%
DEPTH = 10              # weight layers
WIDTH = 64              # units per hidden layer
ACTIVATION = "tanh"     # "sigmoid", "tanh", "relu", "leaky_relu"
INIT = "xavier"         # "normal", "xavier", "he", "nielsen"
WEIGHT_SCALE = 2.0      # every weight matrix is multiplied by this after initialization
DATASET = "two_spirals"  # "two_spirals" (classification) or "polynomial" (regression, raw targets)
LEARNING_RATE = 0.1
CLIP_NORM = 1.0         # clip every step's gradient to this global norm; None: no clipped run
EPOCHS = 15
BATCH_SIZE = 32
SEED = 0

# %%
import matplotlib.pyplot as plt
import numpy as np

from lesson_code.datasets import polynomial_regression, two_spirals
from lesson_code.gradient_flow import per_layer_gain
from lesson_code.jacobians import layer_jacobians, product_singular_values
from lesson_code.network import MLP, gradient_norms_per_layer
from lesson_code.training import train

if DATASET == "two_spirals":
    x, labels = two_spirals(200, seed=SEED)
    y = labels[:, None].astype(float)
    output_activation, loss = "sigmoid", "cross_entropy"
elif DATASET == "polynomial":
    x, y = polynomial_regression(seed=SEED)
    output_activation, loss = "linear", "mse"
else:
    raise ValueError(f"DATASET must be 'two_spirals' or 'polynomial', got {DATASET!r}")


def build_network() -> MLP:
    """The lab's network: DEPTH weight layers, WIDTH units per hidden layer, scaled weights."""
    sizes = [x.shape[1]] + [WIDTH] * (DEPTH - 1) + [y.shape[1]]
    net = MLP(sizes, activation=ACTIVATION, init=INIT, seed=SEED, output_activation=output_activation)
    for weights in net.weights:
        weights *= WEIGHT_SCALE
    return net


print(f"{DATASET}: {x.shape[0]} examples; network sizes {build_network().sizes}")

# %% [markdown]
# ## 1. The backward product at initialization
#
# The gradient of layer $l$ carries one factor $\Sigma'(z^r)(W^{r+1})^\top$ for every layer above
# it. If those factors shrink vectors, the first layers get tiny gradients; if they stretch them,
# huge ones. The average factor per layer is the geometric mean
# $(\lVert \partial C/\partial W^1 \rVert / \lVert \partial C/\partial W^L \rVert)^{1/(L-1)}$.

# %%
net = build_network()
norms = gradient_norms_per_layer(net.gradients(x, y, loss)).weights
print("layer  ||dC/dW^l||")
for layer, norm in enumerate(norms, start=1):
    print(f"{layer:5d}  {norm:.3e}")
print(f"average factor per layer, going back: {per_layer_gain(norms):.3f}")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(np.arange(1, DEPTH + 1), norms, marker="o")
ax.set_xlabel("layer l (1 = next to the input)")
ax.set_ylabel(r"$\Vert\partial C/\partial W^l\Vert$ at initialization")
ax.set_title(f"{ACTIVATION}, {INIT} x {WEIGHT_SCALE}, depth {DEPTH}")
# alt: the norm of each layer's weight gradient at initialization, log scale, from layer 1 (next to the input) to the last
plt.show()

# %% [markdown]
# ## 2. The product of the layer Jacobians
#
# Each hidden layer maps $a^{l-1}$ to $a^l$ with Jacobian $J^l = \Sigma'(z^l) W^l$. Below are the
# largest and the median singular value of the product $J^k \cdots J^2$ of the square
# hidden-to-hidden Jacobians, at the first training example, for growing $k$. A straight rising
# line on the log scale is an exploding product, a falling one a vanishing product.

# %%
jacobians = layer_jacobians(net, x[0])
hidden = jacobians[1:-1]  # the square WIDTH x WIDTH factors
if hidden:
    values = product_singular_values(hidden)
    k = np.arange(2, len(hidden) + 2)
    print(f"after {len(hidden)} hidden layers: largest singular value {values[-1, 0]:.3e}, "
          f"median {np.median(values[-1]):.3e}")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.semilogy(k, values[:, 0], label="largest")
    ax.semilogy(k, np.median(values, axis=1), linestyle="--", label="median")
    ax.axhline(1.0, color="0.5", linewidth=0.8)
    ax.set_xlabel("k (the product runs over layers 2..k)")
    ax.set_ylabel("singular value of the product")
    ax.legend()
    # alt: the largest and the median singular value of the Jacobian product over layers 2..k against k, log scale, with a line at 1
    plt.show()
else:
    print("DEPTH must be at least 3 for a square hidden-to-hidden product")

# %% [markdown]
# ## 3. Training, with and without clipping
#
# Both runs start from the same weights and see the mini-batches in the same order; the only
# difference is that the second one rescales any step gradient whose global norm exceeds
# `CLIP_NORM`. The right-hand plot shows the global gradient norm of every step *before*
# clipping.

# %%
settings = [("no clipping", None)] + ([(f"clipped at {CLIP_NORM:g}", CLIP_NORM)] if CLIP_NORM else [])
runs = {}
for name, clip in settings:
    model = build_network()
    history = train(model, x, y, learning_rate=LEARNING_RATE, epochs=EPOCHS, batch_size=BATCH_SIZE,
                    clip_norm=clip, loss=loss, seed=SEED)
    runs[name] = (model, history)
    summary = f"{name:<16} loss {history.loss[0]:.4g} -> {history.loss[-1]:.4g}"
    if history.diverged:
        summary += " (diverged: the loss or a gradient stopped being finite)"
    elif DATASET == "two_spirals":
        accuracy = np.mean((model.forward(x) > 0.5) == (y > 0.5))
        summary += f", training accuracy {accuracy:.0%}"
    if clip:
        summary += f", clipping fired on {np.mean(history.step_gradient_norms > clip):.0%} of the steps"
    print(summary)

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
for name, (_, history) in runs.items():
    left.semilogy(np.arange(history.loss.size), history.loss, marker=".", label=name)
    right.semilogy(np.arange(1, history.step_gradient_norms.size + 1), history.step_gradient_norms,
                   linewidth=1, label=name)
if CLIP_NORM:
    right.axhline(CLIP_NORM, color="0.3", linestyle=":", label="clipping threshold")
left.set_xlabel("epoch")
left.set_ylabel("training loss")
right.set_xlabel("step")
right.set_ylabel("global gradient norm before clipping")
left.legend()
right.legend()
# alt: two panels, log scales: the training loss per epoch, and the global gradient norm of every step before clipping, for each run
plt.show()

# %% [markdown]
# ## Things to try
#
# - `ACTIVATION = "sigmoid"`, `WEIGHT_SCALE = 1.0`: the gradient norms of part 1 fall by a factor
#   of 4 or more per layer, the Jacobian product of part 2 collapses, the network learns nothing
#   in a few epochs, and clipping almost never fires: it cannot help a vanishing gradient.
# - `ACTIVATION = "relu"`, `INIT = "he"`: He initialization keeps the product level. Then set
#   `WEIGHT_SCALE = 1.5`: every layer now multiplies the signal by about 1.5, the loss at
#   initialization is much larger, and compare the run without clipping to the clipped one.
# - `DATASET = "polynomial"`, `LEARNING_RATE = 0.01`: targets in the thousands make huge
#   gradients; compare `CLIP_NORM = 10` with `None`.
# - Raise `DEPTH` to 30 and watch the lines of part 2 get longer: the largest and the median
#   singular value drift apart.
