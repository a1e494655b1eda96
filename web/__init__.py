"""The Flask side of the app (below the Dash pages, above the data): ``setup.init_web``
installs it. No module here imports ``layouts``."""
