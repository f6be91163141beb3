from hublib.cli import guard_stdout, main

guard_stdout()
raise SystemExit(main())
