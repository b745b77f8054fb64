"""tinyinit: a container init that forwards signals, reaps zombies and drains on shutdown."""

__version__ = "0.1.0"
