"""Settings for a developer's machine: `make run` uses these."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", default=True)
