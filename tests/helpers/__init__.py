"""Builders shared by the test modules (a package: ``from tests.helpers.board_data import ...``).

``python -m pytest`` from the repository's root puts the root on ``sys.path``, so ``tests``
is importable as a (namespace) package and these modules need no ``sys.path`` edits.
"""
