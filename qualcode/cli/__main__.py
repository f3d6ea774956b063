"""python -m qualcode.cli"""

from qualcode.cli import main

main()
