// Includes the header and nothing else: under C++14 the #error must be the
// only diagnostic (the rest of the header is skipped); under C++17 it is clean.
#include "toonstore.hpp"

int toonstore_include_only_probe();
