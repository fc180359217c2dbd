"""aifactory-twin headless core: schema, document, commands, simulation, I/O and CLI."""

__version__ = "0.1.0"
