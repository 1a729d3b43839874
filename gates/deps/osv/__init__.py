"""The offline OSV database: records, version ordering, range evaluation and the cached index."""
