"""The demo's simulation process: ``python -m techwin.demo.worker`` (started by
:func:`techwin.demo.history.produce_elsewhere`, never by hand)."""

from techwin.demo.history import serve

if __name__ == "__main__":
    serve()
