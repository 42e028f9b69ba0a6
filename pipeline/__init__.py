"""pipeline: vendor API documentation in, a clean dataset of status and error codes out.

The Python API (``pipeline.api``): ``pipeline.build(roots)`` builds the datasets in memory,
``pipeline.load("output")`` reads a dataset directory; both give a ``Datasets`` of typed records
with ``.to_pandas()`` and ``.to_arrow()``. (The build's machinery is the module ``pipeline.building``.)
"""

__version__ = "0.1.0"

from pipeline.api import Datasets, RecordTable, build, load  # after __version__: the API imports it

__all__ = ["Datasets", "RecordTable", "__version__", "build", "load"]
