// `using namespace toonstore;` must leave ::strerror from <cstring> usable
// (issue 23: toonstore::strerror made the call ambiguous).
#include <cerrno>
#include <cstring>

#include "toonstore.hpp"

using namespace toonstore;

const char* describe() { return strerror(EINVAL); }
const char* describe_code(int code) { return error_message(code); }
