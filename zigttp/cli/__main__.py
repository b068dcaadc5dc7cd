import sys

from zigttp.cli import main

sys.exit(main())
