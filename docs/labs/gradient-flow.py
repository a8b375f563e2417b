# %% [markdown]
# # Lab: gradient flow through a deep network
#
# Change the knobs in the next cell and run the notebook top to bottom. It builds a random
# network, measures the norm of $\partial C / \partial W^l$ for every layer at initialization,
# then trains it for a few epochs and measures again.

# %%
DEPTH = 10            # weight layers
WIDTH = 64            # units per hidden layer
ACTIVATION = "sigmoid"  # "sigmoid", "tanh", "relu", "leaky_relu"
INIT = "xavier"       # "normal", "xavier", "he", "nielsen"
LEARNING_RATE = 0.5
CLIP_NORM = None      # e.g. 1.0 to clip every step's gradient by global norm
EPOCHS = 5

# %%
import numpy as np

from lesson_code.gradient_flow import layer_weight_gradient_norms, per_layer_gain

norms = layer_weight_gradient_norms(ACTIVATION, INIT, depth=DEPTH, width=WIDTH)
print("layer  ||dC/dW^l||")
for layer, norm in enumerate(norms, start=1):
    print(f"{layer:5d}  {norm:.3e}")
print(f"average gain per layer: {per_layer_gain(norms):.3f}")
