"""pipeline: vendor API documentation in, a clean dataset of status and error codes out.

The Python API (``pipeline.api``): ``pipeline.build(roots)`` builds the datasets in memory,
``pipeline.load("output")`` reads a dataset directory; both give a ``Datasets`` of typed records
with ``.to_pandas()`` and ``.to_arrow()``.
"""

__version__ = "0.1.0"

# ``pipeline.build`` is the API function, not the module of that name: the module is imported
# first, so that importing it later (``from pipeline.build import ...``) finds it in sys.modules
# and leaves the function in place. (``import pipeline.build as m`` would give the function:
# use ``importlib.import_module("pipeline.build")`` for the module.)
from pipeline import build as _build_module  # noqa: F401
from pipeline.api import Datasets, RecordTable, build, load

__all__ = ["Datasets", "RecordTable", "__version__", "build", "load"]
