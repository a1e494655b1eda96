"""Where indicator data lives: the engine, schema, store, queries, cache and migrations."""
