"""Run every benchmark and print its figures: ``./run bench``. Not part of the test suite."""

from bench import download, library, startup

if __name__ == "__main__":
    startup.main()
    download.main()
    library.main()
