import sys

from amtsweg.cli import main

sys.exit(main())
