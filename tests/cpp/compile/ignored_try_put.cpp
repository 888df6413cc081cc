// Must NOT compile with -Werror: an ignored try_* result is [[nodiscard]].
#include "toonstore.hpp"

void write(toonstore::database& db) { db.try_put("x", nullptr); }
