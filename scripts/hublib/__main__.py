from hublib.cli import main

raise SystemExit(main())
