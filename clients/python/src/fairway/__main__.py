import sys

from fairway.cli import main

sys.exit(main())
