"""Adapters that reach the engine from other systems: command line, JSON-lines, HTTP, Mesa.

Bindings hold no market logic of their own: every adapter calls the public ``clearing`` API.
Nothing in ``clearing`` imports this package.
"""
