"""Dialdeck: a desktop companion for the CloudDialer click-to-call API."""

__version__ = "0.1.0"
APP_NAME = "Dialdeck"
