// Positive control for the compile-failure tests: the same reads through a
// snapshot kept in a variable compile cleanly.
#include "toonstore.hpp"

std::size_t read(toonstore::database& db) {
    const toonstore::snapshot sn = db.snapshot();
    std::size_t n = sn.get(0) ? sn.get(0)->as_string_view().size() : 0;
    toonstore::borrowed_bytes b;
    if (sn.try_get(0, b) == TOONSTORE_OK) n += b.size();
    for (const toonstore::row& r : sn.scan()) n += r.data.size();
    return n + (db.snapshot().contains(0) ? 1u : 0u);  // a bool: nothing borrowed
}
