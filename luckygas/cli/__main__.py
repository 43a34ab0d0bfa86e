import sys

from luckygas.cli import main

sys.exit(main())
