from dialdeck.app import main

raise SystemExit(main())
