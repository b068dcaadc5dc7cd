from zigttp.compiler.cli import main

raise SystemExit(main())
