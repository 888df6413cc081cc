// The C++ runner of the shared conformance vectors (the *.json files of
// tests/conformance; format in tests/conformance/README.md), over the
// header-only wrapper include/toonstore.hpp.
//
//   conformance-cpp [vector dir]     default: $TOONSTORE_CONFORMANCE_DIR
//   conformance-cpp --hold-lock DIR  the child process of the hold_lock op
//
// Prints one PASS/FAIL/SKIP line per case (also appended to
// $TOONSTORE_CONFORMANCE_REPORT when set); exit status 1 when a case failed.
// JSON is read with cJSON (Debian libcjson-dev), the same reader as the C
// runner. Built and run by `tests/c/conformance.sh --lang cpp`.

#include <cjson/cJSON.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "toonstore.hpp"

namespace fs = std::filesystem;
using toonstore::row_id;
using bytes = std::string;  // any bytes, NULs included

// ---------------------------------------------------------------------------
// The one place where this runner maps the vectors' language-neutral
// outcomes and capabilities onto toonstore.hpp (README: "how each runner
// maps them"):
//   - "absent": database::get_bytes / snapshot::get return std::nullopt;
//   - delete of an absent row: database::remove returns false, which is
//     TOONSTORE_ERR_NOT_FOUND here (see op "delete");
//   - "invalid_id": TOONSTORE_ERR_INVALID_ARG (row ids are int64_t and the
//     wrapper passes them to the C ABI; see expected());
//   - a closed database is an empty handle that throws TOONSTORE_ERR_CLOSED;
//   - errors: toonstore::error::code() named by error_name().
// ---------------------------------------------------------------------------

const std::map<std::string, std::string> UNSUPPORTED = {
    {"options_version",
     "toonstore::open_options fills the struct version itself (only the C API can pass another)"},
};
// Capabilities this runner supports; a case requiring any other is skipped.
const std::vector<std::string> SUPPORTED = {"use_after_close", "negative_ids", "readers_outlive_close"};
const std::map<std::string, std::string> UNSUPPORTED_OPS = {};

std::string error_name(int code) {
    static const char* const names[] = {
        "TOONSTORE_OK",           "TOONSTORE_ERR_INVALID_ARG", "TOONSTORE_ERR_NOT_FOUND",
        "TOONSTORE_ERR_IO",       "TOONSTORE_ERR_CORRUPT",     "TOONSTORE_ERR_LOCKED",
        "TOONSTORE_ERR_TOO_LARGE", "TOONSTORE_ERR_READ_ONLY",  "TOONSTORE_ERR_VERSION",
        "TOONSTORE_ERR_NOMEM",    "TOONSTORE_ERR_INTERNAL",    "TOONSTORE_ERR_CLOSED",
        "TOONSTORE_ERR_BUFFER_TOO_SMALL", "TOONSTORE_ERR_POISONED", "TOONSTORE_ERR_FORKED",
    };
    if (code <= 0 && -code < static_cast<int>(std::size(names))) return names[-code];
    return "TOONSTORE_ERR_UNKNOWN(" + std::to_string(code) + ")";
}

// ---------------------------------------------------------------------------
// Outcomes: a tag plus the fields that tag uses; compared field by field.
// ---------------------------------------------------------------------------

struct Outcome {
    std::string kind;  // ok id value absent bool count rows row end ids error
    long long n = 0;   // id, count, bool, row id
    bytes value;       // value, row
    std::vector<std::pair<row_id, bytes>> rows;  // rows, ids (ids: empty bytes)
    std::string error;

    bool operator==(const Outcome& o) const {
        return kind == o.kind && n == o.n && value == o.value && rows == o.rows && error == o.error;
    }
    bool operator!=(const Outcome& o) const { return !(*this == o); }
};

Outcome simple(const std::string& kind, long long n = 0) {
    Outcome o;
    o.kind = kind;
    o.n = n;
    return o;
}
Outcome failed(int code) {
    Outcome o = simple("error");
    o.error = error_name(code);
    return o;
}

std::string hex(const bytes& b) {
    static const char* digits = "0123456789abcdef";
    std::string s = "hex:";
    for (unsigned char c : b) {
        s += digits[c >> 4];
        s += digits[c & 15];
    }
    return s;
}

std::string show(const Outcome& o) {
    std::ostringstream s;
    s << o.kind;
    if (o.kind == "id" || o.kind == "count") s << ' ' << o.n;
    if (o.kind == "bool") s << (o.n ? " true" : " false");
    if (o.kind == "value") s << ' ' << hex(o.value);
    if (o.kind == "row") s << ' ' << o.n << ": " << hex(o.value);
    if (o.kind == "error") s << ' ' << o.error;
    if (o.kind == "rows" || o.kind == "ids") {
        s << " [";
        for (std::size_t i = 0; i < o.rows.size(); i++) {
            s << (i ? ", " : "") << o.rows[i].first;
            if (o.kind == "rows") s << ": " << hex(o.rows[i].second);
        }
        s << ']';
    }
    return s.str();
}

// ---------------------------------------------------------------------------
// Reading the vectors
// ---------------------------------------------------------------------------

struct VectorError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

long long int_of(const cJSON* v) {
    if (!cJSON_IsNumber(v)) throw VectorError("an integer was expected");
    double d = v->valuedouble;
    if (d != std::floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
        throw VectorError("not an integer");
    return static_cast<long long>(d);
}

bytes bytes_of(const cJSON* v) {
    if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) != 1)
        throw VectorError("bytes must be {\"hex\"} or {\"utf8\"}");
    if (const cJSON* s = cJSON_GetObjectItemCaseSensitive(v, "utf8"); cJSON_IsString(s)) return s->valuestring;
    const cJSON* h = cJSON_GetObjectItemCaseSensitive(v, "hex");
    if (!cJSON_IsString(h)) throw VectorError("bytes must be {\"hex\"} or {\"utf8\"}");
    std::string digits = h->valuestring;
    if (digits.size() % 2) throw VectorError("odd number of hex digits");
    bytes out;
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        std::size_t used = 0;
        int x = std::stoi(digits.substr(i, 2), &used, 16);
        if (used != 2) throw VectorError("bad hex digits");
        out.push_back(static_cast<char>(x));
    }
    return out;
}

std::pair<row_id, bytes> row_of(const cJSON* v) {
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2) throw VectorError("a row must be [id, bytes]");
    return {int_of(cJSON_GetArrayItem(v, 0)), bytes_of(cJSON_GetArrayItem(v, 1))};
}

Outcome expected(const cJSON* v) {
    if (cJSON_IsString(v)) {
        std::string s = v->valuestring;
        if (s == "ok" || s == "absent" || s == "end") return simple(s);
        if (s == "invalid_id") return failed(TOONSTORE_ERR_INVALID_ARG);
        throw VectorError("unknown expect \"" + s + "\"");
    }
    if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) != 1)
        throw VectorError("expect must be a string or a one-key object");
    const cJSON* val = v->child;
    std::string key = val->string;
    if (key == "id" || key == "count") return simple(key, int_of(val));
    if (key == "bool" && cJSON_IsBool(val)) return simple(key, cJSON_IsTrue(val) ? 1 : 0);
    if (key == "value") {
        Outcome o = simple(key);
        o.value = bytes_of(val);
        return o;
    }
    if (key == "row") {
        auto [id, b] = row_of(val);
        Outcome o = simple(key, id);
        o.value = b;
        return o;
    }
    if ((key == "rows" || key == "ids") && cJSON_IsArray(val)) {
        Outcome o = simple(key);
        const cJSON* item;
        cJSON_ArrayForEach(item, val) {
            o.rows.push_back(key == "rows" ? row_of(item) : std::make_pair<row_id, bytes>(int_of(item), ""));
        }
        return o;
    }
    if (key == "error" && cJSON_IsString(val)) {
        Outcome o = simple("error");
        o.error = val->valuestring;
        return o;
    }
    throw VectorError("bad expect key \"" + key + "\"");
}

const cJSON* arg(const cJSON* step, const char* key) {
    const cJSON* v = cJSON_GetObjectItemCaseSensitive(step, key);
    if (!v) throw VectorError(std::string("missing argument \"") + key + "\"");
    return v;
}

std::string name_arg(const cJSON* step, const char* key) {
    const cJSON* v = arg(step, key);
    if (!cJSON_IsString(v)) throw VectorError(std::string(key) + " must be a string");
    return v->valuestring;
}

row_id start_of(const cJSON* step) {
    const cJSON* v = cJSON_GetObjectItemCaseSensitive(step, "start");
    return v ? int_of(v) : 0;
}

// ---------------------------------------------------------------------------
// Executing a case
// ---------------------------------------------------------------------------

Outcome from_optional(const std::optional<bytes>& v) {
    if (!v) return simple("absent");
    Outcome o = simple("value");
    o.value = *v;
    return o;
}

Outcome drain(toonstore::cursor c, long long limit = -1) {
    Outcome o = simple("rows");
    for (long long n = 0; limit < 0 || n < limit; n++) {
        auto r = c.next();
        if (!r) break;
        o.rows.emplace_back(r->id, r->data.to_string());
    }
    return o;
}

// The arguments of scan_range / snapshot_scan_range (README): start
// (default 0), stop (default scan_end), reverse (default false), limit.
struct RangeArgs {
    row_id start = 0;
    row_id stop = toonstore::scan_end;
    toonstore::order dir = toonstore::order::ascending;
    long long limit = -1;
};

RangeArgs range_of(const cJSON* step) {
    RangeArgs a;
    a.start = start_of(step);
    if (const cJSON* v = cJSON_GetObjectItemCaseSensitive(step, "stop")) a.stop = int_of(v);
    if (const cJSON* v = cJSON_GetObjectItemCaseSensitive(step, "reverse")) {
        if (!cJSON_IsBool(v)) throw VectorError("reverse must be a bool");
        if (cJSON_IsTrue(v)) a.dir = toonstore::order::descending;
    }
    if (const cJSON* v = cJSON_GetObjectItemCaseSensitive(step, "limit")) {
        a.limit = int_of(v);
        if (a.limit < 0) throw VectorError("limit must be >= 0");
    }
    return a;
}

int hold_lock_child(const char* path) {
    try {
        toonstore::database db = toonstore::database::open(path);
        std::cout << "ready" << std::endl;
        std::string sink;
        while (std::getline(std::cin, sink)) {
        }
        db.close();
        return 0;
    } catch (const toonstore::error& e) {
        std::cout << "error " << e.code() << ": " << e.what() << std::endl;
        return 1;
    }
}

class Run {
public:
    explicit Run(fs::path dir) : dir_(std::move(dir)), path_(dir_ / "db") {}
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;
    ~Run() {
        iters_.clear();
        snapshots_.clear();
        db_ = toonstore::database();
        stop_child();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    // Runs a step; VectorError for a broken vector, every toonstore::error is
    // an outcome.
    Outcome step(const std::string& op, const cJSON* s) {
        try {
            return execute(op, s);
        } catch (const toonstore::error& e) {
            return failed(e.code());
        }
    }

private:
    Outcome execute(const std::string& op, const cJSON* s) {
        if (op == "open") {
            if (db_.is_open()) throw VectorError("open while the handle is open");
            toonstore::open_options opts;
            const cJSON* kv;
            cJSON_ArrayForEach(kv, cJSON_GetObjectItemCaseSensitive(s, "options")) {
                std::string key = kv->string;
                if (key == "read_only" && cJSON_IsBool(kv)) opts.read_only = cJSON_IsTrue(kv);
                else if (key == "create_if_missing" && cJSON_IsBool(kv)) opts.create_if_missing = cJSON_IsTrue(kv);
                else if (key == "max_value_size") opts.max_value_size = static_cast<std::uint64_t>(int_of(kv));
                else throw VectorError("bad option \"" + key + "\"");
            }
            db_ = toonstore::database::open(path_.string(), opts);
            return simple("ok");
        }
        if (op == "close") {
            db_.close();
            return simple("ok");
        }
        if (op == "put") return simple("id", db_.put(bytes_of(arg(s, "value"))));
        if (op == "get") {
            auto v = db_.get_bytes(int_of(arg(s, "id")));
            return from_optional(v ? std::optional<bytes>(bytes(v->begin(), v->end())) : std::nullopt);
        }
        if (op == "contains") return simple("bool", db_.contains(int_of(arg(s, "id"))) ? 1 : 0);
        if (op == "delete") {
            // remove() answers "not found" with false: TOONSTORE_ERR_NOT_FOUND.
            return db_.remove(int_of(arg(s, "id"))) ? simple("ok") : failed(TOONSTORE_ERR_NOT_FOUND);
        }
        if (op == "count") return simple("count", static_cast<long long>(db_.stats().live_rows));
        if (op == "scan") return drain(db_.scan(start_of(s)));
        if (op == "scan_range") {
            RangeArgs a = range_of(s);
            return drain(db_.scan_range(a.start, a.stop, a.dir), a.limit);
        }
        if (op == "iter_open") {
            toonstore::cursor c = db_.scan(start_of(s));
            iters_[name_arg(s, "iter")] = std::make_unique<toonstore::cursor>(std::move(c));
            return simple("ok");
        }
        if (op == "iter_next" || op == "iter_close") {
            auto it = iters_.find(name_arg(s, "iter"));
            if (it == iters_.end()) throw VectorError("no such iterator");
            if (op == "iter_close") {
                iters_.erase(it);
                return simple("ok");
            }
            auto r = it->second->next();
            if (!r) return simple("end");
            Outcome o = simple("row", r->id);
            o.value = r->data.to_string();
            return o;
        }
        if (op == "batch") {
            toonstore::batch b = db_.new_batch();
            const cJSON* item;
            cJSON_ArrayForEach(item, arg(s, "ops")) {
                if (const cJSON* p = cJSON_GetObjectItemCaseSensitive(item, "put")) b.put(bytes_of(p));
                else if (const cJSON* d = cJSON_GetObjectItemCaseSensitive(item, "delete")) b.remove(int_of(d));
                else throw VectorError("unknown batch op");
            }
            Outcome o = simple("ids");
            for (row_id id : b.commit()) o.rows.emplace_back(id, "");
            return o;
        }
        if (op == "snapshot_open") {
            snapshots_[name_arg(s, "snapshot")] = std::make_unique<toonstore::snapshot>(db_.snapshot());
            return simple("ok");
        }
        if (op.rfind("snapshot_", 0) == 0) {
            auto it = snapshots_.find(name_arg(s, "snapshot"));
            if (it == snapshots_.end()) throw VectorError("no such snapshot");
            if (op == "snapshot_get") {
                auto v = it->second->get(int_of(arg(s, "id")));
                return from_optional(v ? std::optional<bytes>(v->to_string()) : std::nullopt);
            }
            if (op == "snapshot_scan") return drain(it->second->scan(start_of(s)));
            if (op == "snapshot_scan_range") {
                RangeArgs a = range_of(s);
                return drain(it->second->scan_range(a.start, a.stop, a.dir), a.limit);
            }
            if (op == "snapshot_close") {
                snapshots_.erase(it);
                return simple("ok");
            }
        }
        if (op == "compact") {
            db_.compact();
            return simple("ok");
        }
        if (op == "sync") {
            db_.sync();
            return simple("ok");
        }
        if (op == "hold_lock") {
            start_child();
            return simple("ok");
        }
        if (op == "release_lock") {
            if (child_ <= 0) throw VectorError("release_lock without hold_lock");
            int status = stop_child();
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw VectorError("the lock-holding child failed");
            return simple("ok");
        }
        throw VectorError("unknown op \"" + op + "\"");
    }

    // Starts this program as `--hold-lock <path>` and waits for its "ready".
    void start_child() {
        if (child_ > 0) throw VectorError("hold_lock while a child holds it");
        int in[2], out[2];
        if (pipe(in) != 0 || pipe(out) != 0) throw VectorError("pipe failed");
        pid_t pid = fork();
        if (pid < 0) throw VectorError("fork failed");
        if (pid == 0) {
            dup2(in[0], 0);
            dup2(out[1], 1);
            close(in[0]);
            close(in[1]);
            close(out[0]);
            close(out[1]);
            const std::string p = path_.string();
            execl("/proc/self/exe", "conformance-cpp", "--hold-lock", p.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        close(in[0]);
        close(out[1]);
        child_ = pid;
        child_in_ = in[1];
        char line[256] = {0};
        FILE* f = fdopen(out[0], "r");
        bool ok = f && std::fgets(line, sizeof line, f) && std::string(line) == "ready\n";
        if (f) std::fclose(f);
        if (!ok) {
            stop_child();
            throw VectorError(std::string("the lock-holding child said: ") + line);
        }
    }

    int stop_child() {
        if (child_ <= 0) return -1;
        close(child_in_);
        int status = -1;
        while (waitpid(child_, &status, 0) < 0 && errno == EINTR) {
        }
        child_ = 0;
        return status;
    }

    fs::path dir_;
    fs::path path_;
    // The destructor releases iterators and snapshots before the handle.
    std::map<std::string, std::unique_ptr<toonstore::cursor>> iters_;
    std::map<std::string, std::unique_ptr<toonstore::snapshot>> snapshots_;
    toonstore::database db_;  // empty after close: later steps test the closed handle
    pid_t child_ = 0;
    int child_in_ = -1;
};

// Returns "PASS", "FAIL" or "SKIP" and the reason.
std::pair<std::string, std::string> run_case(const cJSON* c) {
    const cJSON* req;
    cJSON_ArrayForEach(req, cJSON_GetObjectItemCaseSensitive(c, "requires")) {
        if (!cJSON_IsString(req)) continue;
        auto u = UNSUPPORTED.find(req->valuestring);
        if (u != UNSUPPORTED.end()) return {"SKIP", "requires " + u->first + ": " + u->second};
        if (std::find(SUPPORTED.begin(), SUPPORTED.end(), req->valuestring) == SUPPORTED.end())
            return {"SKIP", std::string("requires ") + req->valuestring + ", a capability this runner does not know"};
    }
    const cJSON* steps = cJSON_GetObjectItemCaseSensitive(c, "steps");
    const cJSON* step;
    cJSON_ArrayForEach(step, steps) {
        const cJSON* op = cJSON_GetObjectItemCaseSensitive(step, "op");
        if (!cJSON_IsString(op)) continue;
        auto u = UNSUPPORTED_OPS.find(op->valuestring);
        if (u != UNSUPPORTED_OPS.end()) return {"SKIP", "op " + u->first + ": " + u->second};
    }
    std::string tmpl = (fs::temp_directory_path() / "toonstore-conformance-cpp.XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return {"FAIL", "mkdtemp failed"};
    Run run{fs::path(tmpl)};
    int i = 0;
    cJSON_ArrayForEach(step, steps) {
        const cJSON* opv = cJSON_GetObjectItemCaseSensitive(step, "op");
        std::string op = cJSON_IsString(opv) ? opv->valuestring : "?";
        std::string where = "step " + std::to_string(i) + " (" + op + "): ";
        try {
            const cJSON* e = cJSON_GetObjectItemCaseSensitive(step, "expect");
            if (!e) throw VectorError("no expect");
            Outcome want = expected(e);
            Outcome got = run.step(op, step);
            if (got != want) return {"FAIL", where + "expected " + show(want) + ", got " + show(got)};
        } catch (const std::exception& e) {
            return {"FAIL", where + "bad vector or runner error: " + e.what()};
        }
        i++;
    }
    return {"PASS", ""};
}

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "--hold-lock") return hold_lock_child(argv[2]);
    const char* env = std::getenv("TOONSTORE_CONFORMANCE_DIR");
    fs::path dir = argc > 1 ? argv[1] : (env ? env : "");
    if (dir.empty()) {
        std::cerr << "conformance-cpp: give the vector folder (argument or TOONSTORE_CONFORMANCE_DIR)\n";
        return 2;
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        std::cerr << "conformance-cpp: no *.json vector files in " << dir << "\n";
        return 2;
    }
    const char* report_path = std::getenv("TOONSTORE_CONFORMANCE_REPORT");
    std::ofstream report;
    if (report_path && *report_path) report.open(report_path, std::ios::app);
    int passed = 0, failures = 0, skipped = 0;
    for (const auto& file : files) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        std::unique_ptr<cJSON, void (*)(cJSON*)> doc(cJSON_Parse(text.str().c_str()), cJSON_Delete);
        const cJSON* cases = cJSON_GetObjectItemCaseSensitive(doc.get(), "cases");
        if (!cJSON_IsArray(cases)) {
            std::cerr << "conformance-cpp: " << file << " is not a vector file\n";
            failures++;
            continue;
        }
        const cJSON* c;
        cJSON_ArrayForEach(c, cases) {
            const cJSON* name = cJSON_GetObjectItemCaseSensitive(c, "name");
            auto [verdict, why] = run_case(c);
            passed += verdict == "PASS";
            failures += verdict == "FAIL";
            skipped += verdict == "SKIP";
            std::string line = verdict + " " + file.stem().string() + "/" +
                               (cJSON_IsString(name) ? name->valuestring : "?") + (why.empty() ? "" : ": " + why);
            std::cout << line << "\n";
            if (report.is_open()) report << line << std::endl;
        }
    }
    std::cout << "conformance (cpp, " << dir.string() << "): " << passed << " passed, " << failures << " failed, "
              << skipped << " skipped" << std::endl;
    return failures ? 1 : 0;
}
