// Must NOT compile: try_get on a temporary snapshot fills a dangling view.
#include "toonstore.hpp"

int read(toonstore::database& db, toonstore::borrowed_bytes& out) { return db.snapshot().try_get(0, out); }
