"""Bring the task records' database to the newest migration: ``python -m proxyservice.services.task_records.migrate``.

For a deployment's migration step (a Kubernetes Job, before new web and
worker processes start; they would migrate at first use otherwise). The
database is DATABASE_URL's, or the SQLite file in DATA_DIR when it is unset.
Exits 0 once the schema is at the newest migration, 1 when the database cannot
be reached or migrated; the password is never printed.
"""

import logging
import sys

from ...config import Settings, SettingInvalid
from .engines import Database
from .errors import RecordsUnavailable
from .schema import migrate


def main() -> int:
    """Migrate the database of the environment's settings; return the exit status."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        url = Settings.from_environ().database_url
        name = Database.at(url).name
        revision = migrate(url)
    except (SettingInvalid, RecordsUnavailable) as e:
        print(f"cannot migrate the task records: {e}", file=sys.stderr)
        return 1
    print(f"task records at {name}: schema at revision {revision}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
