"""lesson_code: the numpy code behind "Why Deep Networks Are Hard to Train".

One module per idea, each small enough to read in one sitting. The site's API reference lists
them with the first sentence of each module's docstring (``hooks/api_reference.py`` generates
the list from the package, so it is never out of date); ``figures`` draws every figure of the
site at build time.
"""

__version__ = "0.1.0"

from lesson_code.perturbation import install_from_environment as _install_perturbation

_install_perturbation()  # a no-op unless LESSON_CODE_PERTURB is set (see lesson_code.perturbation)
