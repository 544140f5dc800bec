import multiprocessing
import sys

from .cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the frozen app's answer-parsing worker process
    sys.exit(main())
