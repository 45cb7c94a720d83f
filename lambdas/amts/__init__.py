"""AMTS domain package: the book model, alignment, parallel data, Translate, sync and evaluation.

Pure modules: they know nothing of Lambda events, contexts or os.environ. Handlers in
``amts_handlers`` and the ``amts`` command line are thin layers over them.
"""

__version__ = "0.1.0"
