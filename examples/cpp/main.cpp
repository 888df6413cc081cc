// ToonStore from C++ with the header-only RAII wrapper toonstore.hpp:
// open, put TOON lines, get, delete, scan, batch, snapshot, close, and errors.
//
// Build against an installed ToonStore (see CMakeLists.txt beside this file):
//   cmake -S . -B build -DCMAKE_PREFIX_PATH=/path/to/prefix && cmake --build build
//   ./build/toonstore_example_cpp [DIR]
#include <toonstore.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>  // getpid

namespace fs = std::filesystem;

static int run(const std::string& path) {
    // Opening creates the directory and database when missing; the
    // destructor closes it (db.close() does the same and reports errors).
    toonstore::database db(path);
    std::cout << "opened " << path << " with libtoonstore " << toonstore::version() << "\n";

    const toonstore::row_id alice = db.put("users[1]{id,name}: 1,Alice");
    const toonstore::row_id bob = db.put("users[1]{id,name}: 2,Bob");
    const toonstore::row_id carol = db.put("users[1]{id,name}: 3,Carol");
    std::cout << "put    rows " << alice << ", " << bob << ", " << carol << "\n";

    // get: an owned std::string, or std::nullopt when the row does not exist.
    if (std::optional<std::string> row = db.get(bob)) std::cout << "get    row " << bob << ": " << *row << "\n";

    // remove: false (not an exception) when the row was already gone.
    db.remove(alice);
    std::cout << "delete row " << alice << "; get now gives "
              << (db.get(alice) ? "a row?!" : "std::nullopt") << "\n";
    if (db.get(alice)) return 1;

    // Errors are exceptions carrying the C code ...
    try {
        (void)db.get(-1);
        return 1;  // not reached
    } catch (const toonstore::error& e) {
        std::cout << "get    row -1 threw toonstore::error code " << e.code() << ": " << e.what() << "\n";
    }
    // ... or codes, with the try_* functions.
    std::string out;
    const int rc = db.try_get(alice, out);
    std::cout << "try_get row " << alice << " -> " << toonstore::error_message(rc) << " (" << rc << ")\n";
    if (rc != TOONSTORE_ERR_NOT_FOUND) return 1;

    // batch: all or nothing; discarded if it goes out of scope uncommitted.
    toonstore::batch batch = db.new_batch();
    batch.put("users[1]{id,name}: 4,Dan").put("users[1]{id,name}: 5,Eve").remove(carol);
    const std::vector<toonstore::row_id> ids = batch.commit();
    std::cout << "batch  committed rows " << ids.at(0) << " and " << ids.at(1) << ", deleted " << carol << "\n";

    // snapshot: a frozen view; its reads borrow bytes without copying.
    toonstore::snapshot snap = db.snapshot();
    db.put("users[1]{id,name}: 6,Frank");  // not in the snapshot
    std::size_t rows = 0;
    for (const toonstore::row& r : snap.scan()) {
        std::cout << "scan   row " << r.id << ": " << r.data.as_string_view() << "\n";
        ++rows;
    }
    if (rows != 3) return 1;  // Bob, Dan, Eve

    // scan of the database itself sees Frank too.
    std::size_t now = 0;
    for (const auto& r : db.scan()) now += r.data.empty() ? 0 : 1;
    std::cout << "scan   database now has " << now << " rows\n";
    if (now != 4) return 1;

    db.close();
    std::cout << "closed\n";
    return 0;
}

int main(int argc, char** argv) {
    const bool temporary = argc < 2;
    std::string name = "toonstore-example-cpp-";
    name += std::to_string(::getpid());
    const fs::path dir = temporary ? fs::temp_directory_path() / name : fs::path(argv[1]);
    int status = 1;
    try {
        status = run((dir / "db").string());
    } catch (const toonstore::error& e) {
        std::cerr << "toonstore error " << e.code() << ": " << e.what() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
    }
    if (temporary) fs::remove_all(dir);
    std::cout << (status == 0 ? "C++ example: OK" : "C++ example: FAILED") << "\n";
    return status;
}
