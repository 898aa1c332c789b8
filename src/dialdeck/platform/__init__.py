"""Per-OS integration: single instance, start at login, tel:/callto: registration.

Each module first computes *what* it would write for a given OS (pure, testable anywhere), then
applies it only on that OS.
"""
