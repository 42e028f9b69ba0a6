"""pipeline: vendor API documentation in, a clean dataset of status and error codes out."""

__version__ = "0.1.0"
