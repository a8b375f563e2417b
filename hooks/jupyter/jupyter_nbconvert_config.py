"""nbconvert's configuration while the site build executes the labs (``hooks/lab_execution.py``
puts this folder on ``JUPYTER_CONFIG_PATH``): merge what a cell prints into one output.

ipykernel sends what a cell has printed every 0.2 s or so, so two prints a slow computation apart
reach nbclient as one message or two depending on the machine's load, and each message becomes an
output of its own. nbconvert's ``CoalesceStreamsPreprocessor`` merges them, but by default it
runs before the notebook is executed, when there is nothing to merge; here it runs just after.
"""

from nbconvert.exporters.exporter import Exporter

COALESCE = "nbconvert.preprocessors.CoalesceStreamsPreprocessor"
EXECUTE = "nbconvert.preprocessors.ExecutePreprocessor"

preprocessors = [name for name in Exporter.default_preprocessors.default() if name != COALESCE]
preprocessors.insert(preprocessors.index(EXECUTE) + 1, COALESCE)

c = get_config()  # noqa: F821 (traitlets defines it for configuration files)
c.Exporter.default_preprocessors = preprocessors
c.CoalesceStreamsPreprocessor.enabled = True
