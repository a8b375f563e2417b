"""lesson_code: the numpy code behind "Why Deep Networks Are Hard to Train".

One module per idea, each small enough to read in one sitting:

- ``activations``: sigmoid, tanh, ReLU, leaky ReLU and the identity, with derivatives.
- ``network``: an MLP with hand-written backpropagation, the one-node chain, the gradient bound.
- ``jacobians``: layer Jacobians and long products of random matrices.
- ``gradient_flow``: per-layer gradient norms of random deep networks.
- ``layer_speeds``: Nielsen's experiment in which layers learn at different speeds.
- ``clipping``: clipping by global norm and by value.
- ``training``: mini-batch SGD for an MLP, recording losses and gradient norms.
- ``exploding``: the exploding-gradient and clipping experiments.
- ``optim``: gradient descent and momentum on small losses, and their convergence rates.
- ``landscapes``: the 2-D losses of the curvature and convexity chapters.
- ``convexity``, ``critical_points``: convexity checks, and critical points classified by
  their Hessians.
- ``datasets``: two spirals and a regression with large targets.
- ``baselines``: convex linear models (SVM, logistic regression) that reach one optimum.
- ``hardness``: parameter counts, one-layer training and restarts of a 3-node network.
- ``remedies``: networks with batch normalization and residual connections.
- ``comparisons``: the experiments comparing convex models, deep nets and the fixes.
- ``standardization``: the regression with large targets, trained with and without standardizing.
- ``seed_ensembles``: many seeds trained at once, the nudge that tells a chaotic run, and
  medians printed with the digits their spread supports.
- ``figures``: every figure of the site, drawn at build time.
"""

__version__ = "0.1.0"

from lesson_code.perturbation import install_from_environment as _install_perturbation

_install_perturbation()  # a no-op unless LESSON_CODE_PERTURB is set (see lesson_code.perturbation)
