// Compiled by ctest with -fsyntax-only: toonstore.hpp must be self-contained
// (this file includes nothing else) and must reject C++ older than 17.
#include "toonstore.hpp"

int toonstore_header_only_probe(toonstore::database& db);
int toonstore_header_only_probe(toonstore::database& db) { return db.is_open() ? 1 : 0; }
