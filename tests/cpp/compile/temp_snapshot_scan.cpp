// Must NOT compile: the cursor's rows would borrow from a dead snapshot.
#include "toonstore.hpp"

std::size_t count(toonstore::database& db) {
    std::size_t n = 0;
    for (const toonstore::row& r : db.snapshot().scan()) n += r.data.size();
    return n;
}
