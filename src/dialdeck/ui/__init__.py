"""Qt widgets and models only: thin, synchronous, driven by the controller."""
