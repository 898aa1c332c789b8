"""Run every benchmark and print its figures: ``./run bench``. Not part of the test suite."""

from bench import download, startup

if __name__ == "__main__":
    startup.main()
    download.main()
