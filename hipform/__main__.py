from hipform.cli import main

raise SystemExit(main())
