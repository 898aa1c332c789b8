"""PyInstaller's entry script: the frozen Dialdeck is ``dialdeck.app.main``, nothing more."""

from dialdeck.app import main

raise SystemExit(main())
