"""neutrality: zero-carbon factory and carbon-neutrality claims manager.

Importing the package does not import Flask; the application is built by
:func:`neutrality.app.create_app`.
"""

__version__ = "0.1.0"
