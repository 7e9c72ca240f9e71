"""``python -m libcoop.catalog.prepare_worker PATH BATCH_SIZE [analyse]``: an import's worker.

Reads and prepares the file (``prepare.work``) and writes the pickled batches to stdout for
the importing process (``prepare.prepared_batches``); anything else printed goes to stderr.
"""

from __future__ import annotations

import os
import sys

from libcoop.catalog.prepare import work


def main() -> None:
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints must not corrupt the channel
    sys.stdout = sys.stderr
    with channel:
        work(sys.argv[1], int(sys.argv[2]), channel, analyse=sys.argv[3:4] == ["analyse"])


if __name__ == "__main__":
    main()
