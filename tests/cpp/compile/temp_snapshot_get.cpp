// Must NOT compile: the view would borrow from a snapshot destroyed at the
// end of the full expression (issue 23, defect 1).
#include "toonstore.hpp"

std::size_t read(toonstore::database& db) { return db.snapshot().get(0)->as_string_view().size(); }
