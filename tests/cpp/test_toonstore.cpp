// Tests of include/toonstore.hpp, the header-only C++ wrapper.
//
// A tiny runner: each TEST is run in its own fresh temporary directory,
// CHECK failures and unexpected exceptions are reported per test, and the last
// line printed is "N passed, M failed". The exit status is non-zero when
// anything failed (or nothing ran).
#include "toonstore.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__cpp_lib_ranges)
#include <ranges>
#endif

namespace fs = std::filesystem;
using toonstore::row_id;

// ---------------------------------------------------------------------------
// compile-time properties of the handles

static_assert(!std::is_copy_constructible_v<toonstore::database>);
static_assert(!std::is_copy_assignable_v<toonstore::database>);
static_assert(std::is_nothrow_move_constructible_v<toonstore::database>);
static_assert(std::is_nothrow_move_assignable_v<toonstore::database>);
static_assert(std::is_nothrow_destructible_v<toonstore::database>);

static_assert(!std::is_copy_constructible_v<toonstore::cursor>);
static_assert(!std::is_copy_assignable_v<toonstore::cursor>);
static_assert(std::is_nothrow_move_constructible_v<toonstore::cursor>);
static_assert(std::is_nothrow_move_assignable_v<toonstore::cursor>);
static_assert(std::is_nothrow_destructible_v<toonstore::cursor>);

static_assert(!std::is_copy_constructible_v<toonstore::snapshot>);
static_assert(!std::is_copy_assignable_v<toonstore::snapshot>);
static_assert(std::is_nothrow_move_constructible_v<toonstore::snapshot>);
static_assert(std::is_nothrow_move_assignable_v<toonstore::snapshot>);
static_assert(std::is_nothrow_destructible_v<toonstore::snapshot>);

static_assert(!std::is_copy_constructible_v<toonstore::batch>);
static_assert(!std::is_copy_assignable_v<toonstore::batch>);
static_assert(std::is_nothrow_move_constructible_v<toonstore::batch>);
static_assert(std::is_nothrow_move_assignable_v<toonstore::batch>);
static_assert(std::is_nothrow_destructible_v<toonstore::batch>);

static_assert(std::is_base_of_v<std::runtime_error, toonstore::error>);
static_assert(std::is_nothrow_default_constructible_v<toonstore::batch>);
// A temporary snapshot's accessors are deleted (see also tests/cpp/compile_fail).
template <class S, class = void>
struct can_get : std::false_type {};
template <class S>
struct can_get<S, std::void_t<decltype(std::declval<S>().get(0))>> : std::true_type {};
template <class S, class = void>
struct can_scan : std::false_type {};
template <class S>
struct can_scan<S, std::void_t<decltype(std::declval<S>().scan())>> : std::true_type {};
static_assert(can_get<toonstore::snapshot&>::value && can_get<const toonstore::snapshot&>::value);
static_assert(!can_get<toonstore::snapshot>::value && !can_get<toonstore::snapshot&&>::value);
static_assert(can_scan<toonstore::snapshot&>::value && !can_scan<toonstore::snapshot>::value);
static_assert(std::is_same_v<toonstore::row_id, std::int64_t>);
static_assert(std::is_same_v<decltype(std::declval<toonstore::database&>().get(0)), std::optional<std::string>>);
static_assert(std::is_same_v<decltype(std::declval<toonstore::snapshot&>().get(0)),
                             std::optional<toonstore::borrowed_bytes>>);
static_assert(noexcept(std::declval<toonstore::database&>().try_remove(0)));
static_assert(noexcept(std::declval<toonstore::database&>().try_close()));
static_assert(noexcept(std::declval<toonstore::batch&>().try_commit()));
static_assert(std::is_same_v<std::iterator_traits<toonstore::cursor::iterator>::iterator_category,
                             std::input_iterator_tag>);
#if defined(__cpp_lib_ranges)
static_assert(std::input_iterator<toonstore::cursor::iterator>);
static_assert(std::ranges::input_range<toonstore::cursor>);
#endif

// ---------------------------------------------------------------------------
// the runner

namespace {

struct check_failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct test_case {
    const char* name;
    void (*fn)(const std::string& dir);
};

std::vector<test_case>& registry() {
    static std::vector<test_case> r;
    return r;
}

struct registrar {
    registrar(const char* name, void (*fn)(const std::string&)) { registry().push_back({name, fn}); }
};

// Concatenates text. (Written out instead of `"literal" + std::string`,
// which trips GCC 12's -Wrestrict false positive at -O3 in C++20, bug 105651.)
template <class... Parts>
std::string str(const Parts&... parts) {
    std::string s;
    (s.append(std::string_view(parts)), ...);
    return s;
}

std::string where(const char* file, int line) { return str(file, ":", std::to_string(line), ": "); }

#define TEST(name)                                          \
    void name(const std::string& dir);                      \
    const registrar name##_registrar(#name, &name);         \
    void name([[maybe_unused]] const std::string& dir)

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) throw check_failure(where(__FILE__, __LINE__) + "CHECK(" #cond ")"); \
    } while (0)

#define CHECK_EQ(a, b)                                                                        \
    do {                                                                                      \
        if (!((a) == (b)))                                                                    \
            throw check_failure(where(__FILE__, __LINE__) + "CHECK_EQ(" #a ", " #b ")");       \
    } while (0)

// Runs `expr`, requires it to throw toonstore::error with `want` as code().
#define CHECK_THROWS_CODE(expr, want)                                                          \
    do {                                                                                       \
        bool thrown_ = false;                                                                  \
        try {                                                                                  \
            (void)(expr);                                                                      \
        } catch (const toonstore::error& e_) {                                                 \
            thrown_ = true;                                                                    \
            if (e_.code() != (want))                                                           \
                throw check_failure(where(__FILE__, __LINE__) + #expr " threw code " +         \
                                    std::to_string(e_.code()) + " (" + e_.what() +             \
                                    "), wanted " #want);                                       \
            if (std::strlen(e_.what()) == 0)                                                   \
                throw check_failure(where(__FILE__, __LINE__) + #expr " threw an empty message"); \
        }                                                                                      \
        if (!thrown_) throw check_failure(where(__FILE__, __LINE__) + #expr " did not throw"); \
    } while (0)

std::string make_temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "toonstore-cpp-XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) {
        std::perror("mkdtemp");
        std::exit(2);
    }
    return std::string(buf.data());
}

std::string db_path(const std::string& dir, const char* name = "db") { return dir + "/" + name; }

std::vector<std::pair<row_id, std::string>> collect(toonstore::cursor c) {
    std::vector<std::pair<row_id, std::string>> out;
    for (const toonstore::row& r : c) out.emplace_back(r.id, r.data.to_string());
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// tests

TEST(version_matches_header) {
    CHECK_EQ(toonstore::version(), std::string_view(TOONSTORE_VERSION_STRING));
    CHECK_EQ(toonstore::version_number(), static_cast<std::uint32_t>(TOONSTORE_VERSION_NUMBER));
    CHECK_EQ(std::string(toonstore::error_message(TOONSTORE_ERR_NOT_FOUND)).empty(), false);
    CHECK(std::string(toonstore::error_message(TOONSTORE_OK)) != toonstore::error_message(TOONSTORE_ERR_NOT_FOUND));
}

TEST(put_get_roundtrip_text) {
    toonstore::database db(db_path(dir));
    CHECK(db.is_open());
    CHECK(static_cast<bool>(db));
    const row_id a = db.put("users[1]{id,name}: 1,Alice");
    const row_id b = db.put(std::string("users[1]{id,name}: 2,Bob"));
    CHECK(a >= 0);
    CHECK(b > a);
    CHECK_EQ(db.get(a).value(), "users[1]{id,name}: 1,Alice");
    CHECK_EQ(db.get(b).value(), "users[1]{id,name}: 2,Bob");
}

TEST(ids_increase_and_are_never_reused) {
    row_id last = -1;
    {
        toonstore::database db(db_path(dir));
        for (int i = 0; i < 20; ++i) {
            const row_id id = db.put(str("row ", std::to_string(i)));
            CHECK(id > last);
            last = id;
        }
        CHECK(db.remove(last));
        const row_id after = db.put("after delete");
        CHECK(after > last);
        last = after;
    }
    toonstore::database db(db_path(dir));
    const row_id reopened = db.put("after reopen");
    CHECK(reopened > last);
    CHECK_EQ(db.get(last).value(), "after delete");
}

TEST(binary_and_empty_rows) {
    toonstore::database db(db_path(dir));
    const std::string with_nuls("a\0b\0\xff", 5);
    const row_id bin = db.put(with_nuls);
    const toonstore::bytes raw{0x00, 0x01, 0xfe, 0xff};
    const row_id raw_id = db.put(raw);
    const row_id ptr_id = db.put(raw.data(), raw.size());
    const row_id empty = db.put(std::string_view());
    const row_id empty2 = db.put(nullptr, 0);
    CHECK_EQ(db.get(bin).value(), with_nuls);
    CHECK_EQ(db.get(bin).value().size(), 5u);
    CHECK(db.get_bytes(raw_id).value() == raw);
    CHECK(db.get_bytes(ptr_id).value() == raw);
    CHECK_EQ(db.get(empty).value(), "");
    CHECK(db.get_bytes(empty2).value().empty());
    CHECK(db.contains(empty2));
#if TOONSTORE_HPP_HAS_SPAN
    const row_id span_id = db.put(std::span<const std::uint8_t>(raw));
    CHECK(db.get_bytes(span_id).value() == raw);
#endif
}

TEST(missing_rows_are_nullopt_not_errors) {
    toonstore::database db(db_path(dir));
    CHECK(!db.get(0).has_value());
    CHECK(!db.get(1000000).has_value());
    CHECK(!db.get_bytes(12345).has_value());
    CHECK(!db.contains(7));
    const row_id id = db.put("users[1]{id,name}: 3,Carol");
    CHECK(db.remove(id));
    CHECK(!db.get(id).has_value());
    CHECK(!db.get_bytes(id).has_value());
    CHECK(!db.contains(id));
    CHECK(!db.remove(id));  // already deleted: false, no exception
    std::string s = "unchanged";
    CHECK_EQ(db.try_get(id, s), TOONSTORE_ERR_NOT_FOUND);
    CHECK_EQ(s, "unchanged");
    CHECK_EQ(db.try_remove(id), TOONSTORE_ERR_NOT_FOUND);
}

TEST(bad_row_id_throws_with_code) {
    toonstore::database db(db_path(dir));
    db.put("x");
    CHECK_THROWS_CODE(db.get(-1), TOONSTORE_ERR_INVALID_ARG);
    CHECK_THROWS_CODE(db.get_bytes(-5), TOONSTORE_ERR_INVALID_ARG);
    CHECK_THROWS_CODE(db.remove(-1), TOONSTORE_ERR_INVALID_ARG);
    std::string s;
    CHECK_EQ(db.try_get(-1, s), TOONSTORE_ERR_INVALID_ARG);
    CHECK_EQ(db.try_remove(-2), TOONSTORE_ERR_INVALID_ARG);
    // the message carries the library's detail (toonstore_last_error)
    try {
        (void)db.get(-1);
        CHECK(false);
    } catch (const toonstore::error& e) {
        CHECK(std::string(e.what()).find(toonstore::error_message(TOONSTORE_ERR_INVALID_ARG)) != std::string::npos);
        CHECK(!toonstore::last_error().empty());
        CHECK(std::string(e.what()).find(toonstore::last_error()) != std::string::npos);
    }
}

TEST(try_variants_return_codes) {
    toonstore::database db(db_path(dir));
    row_id id = -1;
    CHECK_EQ(db.try_put("users[1]{id,name}: 4,Dan", &id), TOONSTORE_OK);
    CHECK(id >= 0);
    CHECK_EQ(db.try_put("no out pointer", nullptr), TOONSTORE_OK);
    std::string out;
    CHECK_EQ(db.try_get(id, out), TOONSTORE_OK);
    CHECK_EQ(out, "users[1]{id,name}: 4,Dan");
    CHECK_EQ(db.try_sync(), TOONSTORE_OK);
    CHECK_EQ(db.try_compact(), TOONSTORE_OK);
    CHECK_EQ(db.try_remove(id), TOONSTORE_OK);
    CHECK_EQ(db.try_close(), TOONSTORE_OK);
    CHECK(!db.is_open());
    CHECK_EQ(db.try_close(), TOONSTORE_OK);  // closing an empty handle is a no-op
}

TEST(get_into_reuses_and_grows_the_buffer) {
    toonstore::database db(db_path(dir));
    const std::string big(5000, 'z');
    const row_id small_id = db.put("abc");
    const row_id big_id = db.put(big);
    toonstore::bytes buf;
    CHECK(db.get_into(small_id, buf));
    CHECK_EQ(std::string(buf.begin(), buf.end()), "abc");
    CHECK(db.get_into(big_id, buf));  // larger than the capacity it had: grows
    CHECK_EQ(buf.size(), big.size());
    CHECK(std::string(buf.begin(), buf.end()) == big);
    const std::uint8_t* before = buf.data();
    CHECK(db.get_into(small_id, buf));  // fits: no reallocation
    CHECK_EQ(buf.data(), before);
    CHECK_EQ(buf.size(), 3u);
    CHECK(!db.get_into(999999, buf));
    CHECK(buf.empty());
    CHECK_THROWS_CODE(db.get_into(-3, buf), TOONSTORE_ERR_INVALID_ARG);
}

TEST(durability_per_put) {
    toonstore::database db(db_path(dir));
    const row_id a = db.put("full", toonstore::durability::full);
    const row_id b = db.put("off", toonstore::durability::off);
    const row_id c = db.put("normal", toonstore::durability::normal);
    const row_id d = db.put("default", toonstore::durability::database_default);
    row_id e = -1;
    CHECK_EQ(db.try_put("try full", &e, toonstore::durability::full), TOONSTORE_OK);
    CHECK(a < b && b < c && c < d && d < e);
    CHECK_EQ(db.get(b).value(), "off");
    CHECK_EQ(db.get(e).value(), "try full");
    db.sync();
}

TEST(scan_range_for_in_id_order) {
    toonstore::database db(db_path(dir));
    std::vector<row_id> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(db.put(str("users[1]{id,name}: ", std::to_string(i), ",U")));
    CHECK(db.remove(ids[3]));
    CHECK(db.remove(ids[7]));
    std::vector<row_id> seen;
    for (const auto& r : db.scan()) {
        seen.push_back(r.id);
        CHECK_EQ(r.data.as_string_view(), db.get(r.id).value());
    }
    std::vector<row_id> want = ids;
    want.erase(std::remove(want.begin(), want.end(), ids[7]), want.end());
    want.erase(std::remove(want.begin(), want.end(), ids[3]), want.end());
    CHECK(seen == want);
    // scan(start) begins at the first live id >= start
    auto from = collect(db.scan(ids[3]));
    CHECK_EQ(from.size(), 5u);  // ids[4..6], ids[8..9]
    CHECK_EQ(from.front().first, ids[4]);
    CHECK(collect(db.scan(ids.back() + 1)).empty());
}

TEST(scan_range_bounds_and_descending_order) {
    toonstore::database db(db_path(dir));
    for (int i = 0; i < 10; ++i) CHECK_EQ(db.put(std::to_string(i)), i);
    CHECK(db.remove(3));
    CHECK(db.remove(9));
    auto ids = [](toonstore::cursor c) {
        std::vector<row_id> out;
        for (const auto& r : c) out.push_back(r.id);
        return out;
    };
    CHECK((ids(db.scan_range(2, 6)) == std::vector<row_id>{2, 4, 5}));
    CHECK((ids(db.scan_range(2, 6, toonstore::order::descending)) == std::vector<row_id>{5, 4, 2}));
    CHECK((ids(db.scan_range(7)) == std::vector<row_id>{7, 8}));
    CHECK((ids(db.scan_range(0, toonstore::scan_end, toonstore::order::descending)).front() == 8));
    CHECK(ids(db.scan_range(4, 4, toonstore::order::descending)).empty());
    // The last two rows, newest first: stop reading after two.
    toonstore::cursor last = db.scan_range(0, toonstore::scan_end, toonstore::order::descending);
    CHECK_EQ(last.next()->id, 8);
    CHECK_EQ(last.next()->id, 7);
    CHECK_THROWS_CODE(db.scan_range(5, 4), TOONSTORE_ERR_INVALID_ARG);
    CHECK_THROWS_CODE(db.scan_range(-1), TOONSTORE_ERR_INVALID_ARG);
    // A snapshot's range: rows valid while the snapshot lives.
    toonstore::snapshot snap = db.snapshot();
    db.put("later");
    auto rows = collect(snap.scan_range(6, toonstore::scan_end, toonstore::order::descending));
    CHECK_EQ(rows.size(), 3u);  // 8, 7, 6: "later" (10) came after the snapshot
    CHECK(rows.size() == 3 && rows[0].first == 8 && rows[0].second == "8" && rows[2].first == 6);
    CHECK_THROWS_CODE(snap.scan_range(3, 2), TOONSTORE_ERR_INVALID_ARG);
}

TEST(scan_of_empty_database) {
    toonstore::database db(db_path(dir));
    int n = 0;
    for (const auto& r : db.scan()) {
        (void)r;
        ++n;
    }
    CHECK_EQ(n, 0);
    toonstore::cursor c = db.scan();
    CHECK(c.begin() == c.end());
    CHECK(!c.next().has_value());
}

TEST(scan_reads_a_snapshot) {
    toonstore::database db(db_path(dir));
    const row_id a = db.put("a");
    const row_id b = db.put("b");
    toonstore::cursor c = db.scan();
    db.put("written after the scan began");
    CHECK(db.remove(a));
    auto rows = collect(std::move(c));
    CHECK_EQ(rows.size(), 2u);
    CHECK_EQ(rows[0].first, a);
    CHECK_EQ(rows[0].second, "a");
    CHECK_EQ(rows[1].first, b);
}

TEST(cursor_next_and_try_next) {
    toonstore::database db(db_path(dir));
    const row_id a = db.put("first");
    const row_id b = db.put("second");
    toonstore::cursor c = db.scan();
    CHECK(c.valid());
    auto r1 = c.next();
    CHECK(r1.has_value());
    CHECK_EQ(r1->id, a);
    CHECK_EQ(r1->data.as_string_view(), "first");
    toonstore::row r2;
    CHECK_EQ(c.try_next(r2), 1);
    CHECK_EQ(r2.id, b);
    CHECK_EQ(r2.data.to_string(), "second");
    CHECK(!c.next().has_value());
    CHECK(!c.next().has_value());  // the end is sticky
    CHECK_EQ(c.try_next(r2), 0);
    // iterator operations
    toonstore::cursor d = db.scan();
    auto it = d.begin();
    CHECK(it != d.end());
    CHECK_EQ(it->id, a);
    CHECK_EQ((*it).data.size(), 5u);
    it++;
    CHECK_EQ(it->id, b);
    ++it;
    CHECK(it == d.end());
}

TEST(cursor_release_and_native_handle) {
    toonstore::database db(db_path(dir));
    db.put("x");
    toonstore::cursor c = db.scan();
    ToonStoreIter* raw = c.native_handle();
    CHECK(raw != nullptr);
    ToonStoreIter* released = c.release();
    CHECK_EQ(released, raw);
    CHECK(!c.valid());
    toonstore::cursor owner(released);  // hand it back to RAII
    CHECK_EQ(collect(std::move(owner)).size(), 1u);
    toonstore::cursor e;
    e.reset();  // no-op on empty
    CHECK(!e);
}

TEST(snapshot_zero_copy_reads) {
    toonstore::database db(db_path(dir));
    const row_id a = db.put("users[1]{id,name}: 1,Alice");
    const row_id b = db.put("users[1]{id,name}: 2,Bob");
    toonstore::snapshot snap = db.snapshot();
    CHECK(snap.valid());
    std::optional<toonstore::borrowed_bytes> va = snap.get(a);
    CHECK(va.has_value());
    const std::uint8_t* p = va->data();
    // changes after the snapshot do not show in it, and borrowed bytes stay valid
    CHECK(db.remove(a));
    const row_id c = db.put("users[1]{id,name}: 3,Carol");
    CHECK(!db.get(a).has_value());
    CHECK_EQ(va->as_string_view(), "users[1]{id,name}: 1,Alice");
    CHECK_EQ(snap.get(a)->data(), p);  // same bytes again: no copy was made
    CHECK(snap.contains(b));
    CHECK(!snap.contains(c));
    CHECK(!snap.get(c).has_value());
    CHECK(!snap.get(99999).has_value());
    CHECK_THROWS_CODE(snap.get(-1), TOONSTORE_ERR_INVALID_ARG);
    toonstore::borrowed_bytes out;
    CHECK_EQ(snap.try_get(b, out), TOONSTORE_OK);
    CHECK_EQ(out.to_string(), "users[1]{id,name}: 2,Bob");
    CHECK_EQ(snap.try_get(c, out), TOONSTORE_ERR_NOT_FOUND);
    // borrowed_bytes accessors
    const toonstore::borrowed_bytes& bb = *va;
    CHECK_EQ(bb.size(), std::string_view("users[1]{id,name}: 1,Alice").size());
    CHECK_EQ(bb[0], static_cast<std::uint8_t>('u'));
    CHECK_EQ(std::string(bb.begin(), bb.end()), bb.to_string());
    CHECK_EQ(bb.to_bytes().size(), bb.size());
    CHECK(!bb.empty());
#if TOONSTORE_HPP_HAS_SPAN
    CHECK_EQ(toonstore::as_span(bb).size(), bb.size());
    CHECK_EQ(toonstore::as_span(bb).data(), bb.data());
#endif
}

TEST(snapshot_scan_rows_live_as_long_as_the_snapshot) {
    toonstore::database db(db_path(dir));
    for (int i = 0; i < 5; ++i) db.put(str("row ", std::to_string(i)));
    toonstore::snapshot snap = db.snapshot();
    db.put("later");
    std::vector<toonstore::row> kept;
    for (const auto& r : snap.scan()) kept.push_back(r);  // cursor gone after the loop
    CHECK_EQ(kept.size(), 5u);
    for (std::size_t i = 0; i < kept.size(); ++i)
        CHECK_EQ(kept[i].data.as_string_view(), str("row ", std::to_string(i)));
    auto from = collect(snap.scan(kept[2].id));
    CHECK_EQ(from.size(), 3u);
    CHECK_EQ(from[0].first, kept[2].id);
    // release and reset
    ToonStoreSnapshot* raw = snap.release();
    CHECK(raw != nullptr);
    CHECK(!snap.valid());
    toonstore::snapshot again(raw);
    CHECK(again.contains(kept[0].id));
    again.reset();
    CHECK(!again);
}

TEST(batch_commit_returns_ids) {
    toonstore::database db(db_path(dir));
    const row_id old = db.put("to be deleted by the batch");
    toonstore::batch b = db.new_batch();
    CHECK(b.valid());
    CHECK(b.empty());
    b.put("users[1]{id,name}: 1,Alice").put("users[1]{id,name}: 2,Bob").remove(old);
    const toonstore::bytes raw{1, 2, 3};
    b.put(raw.data(), raw.size());
    CHECK_EQ(b.size(), 4u);
    CHECK_EQ(b.put_count(), 3u);
    // nothing visible before commit
    CHECK(db.contains(old));
    const std::vector<row_id> ids = b.commit();
    CHECK_EQ(ids.size(), 3u);
    CHECK(ids[0] > old);
    CHECK_EQ(ids[1], ids[0] + 1);
    CHECK_EQ(ids[2], ids[0] + 2);
    CHECK_EQ(db.get(ids[0]).value(), "users[1]{id,name}: 1,Alice");
    CHECK_EQ(db.get(ids[1]).value(), "users[1]{id,name}: 2,Bob");
    CHECK(db.get_bytes(ids[2]).value() == raw);
    CHECK(!db.contains(old));
    // cleared and reusable
    CHECK(b.empty());
    CHECK_EQ(b.put_count(), 0u);
    b.put("second round");
    const auto ids2 = db.commit(b);
    CHECK_EQ(ids2.size(), 1u);
    CHECK(ids2[0] > ids[2]);
    // a batch of deletes only gives no ids
    b.remove(ids2[0]);
    row_id first = 12345;
    CHECK_EQ(b.try_commit(&first), TOONSTORE_OK);
    CHECK_EQ(first, -1);
    CHECK(!db.contains(ids2[0]));
}

TEST(batch_destructor_discards) {
    toonstore::database db(db_path(dir));
    const row_id before = db.put("before");
    const std::uint64_t live_before = db.stats().live_rows;
    {
        toonstore::batch b = db.new_batch();
        b.put("never committed 1").put("never committed 2").remove(before);
        CHECK_EQ(b.size(), 3u);
    }  // destroyed without commit
    CHECK_EQ(db.stats().live_rows, live_before);
    CHECK(db.contains(before));
    CHECK(!db.contains(before + 1));
    CHECK(!db.contains(before + 2));
    CHECK_EQ(collect(db.scan()).size(), 1u);
}

TEST(batch_failure_is_all_or_nothing_and_keeps_the_batch) {
    toonstore::database db(db_path(dir));
    const row_id a = db.put("a");
    toonstore::batch b = db.new_batch();
    b.put("would be new").remove(a).remove(a + 1000);  // the last delete cannot apply
    CHECK_THROWS_CODE(b.commit(), TOONSTORE_ERR_NOT_FOUND);
    CHECK(db.contains(a));  // nothing applied
    CHECK_EQ(collect(db.scan()).size(), 1u);
    CHECK_EQ(b.size(), 3u);  // unchanged on failure
    CHECK_EQ(b.put_count(), 1u);
    CHECK_EQ(b.try_commit(), TOONSTORE_ERR_NOT_FOUND);
    b.clear();
    CHECK(b.empty());
    CHECK_EQ(b.put_count(), 0u);
    CHECK_THROWS_CODE(b.remove(-1), TOONSTORE_ERR_INVALID_ARG);
    CHECK_EQ(b.try_remove(-1), TOONSTORE_ERR_INVALID_ARG);
}

TEST(free_standing_batch_commits_into_a_database) {
    toonstore::database db(db_path(dir));
    toonstore::batch b = toonstore::batch::create();  // not tied to a database
    b.put("x");
    CHECK_EQ(b.try_put("y"), TOONSTORE_OK);
    CHECK_THROWS_CODE(b.commit(), TOONSTORE_ERR_CLOSED);  // no database to commit to
    CHECK_EQ(b.try_commit(), TOONSTORE_ERR_CLOSED);
    CHECK_EQ(b.size(), 2u);
    const auto ids = b.commit(db);
    CHECK_EQ(ids.size(), 2u);
    CHECK_EQ(db.get(ids[1]).value(), "y");
    b.put("z");
    row_id first = -1;
    CHECK_EQ(b.try_commit(db, &first), TOONSTORE_OK);
    CHECK_EQ(db.get(first).value(), "z");
}

TEST(read_only_writes_fail_with_code) {
    row_id id = -1;
    {
        toonstore::database db(db_path(dir));
        id = db.put("users[1]{id,name}: 1,Alice");
        db.close();
    }
    toonstore::open_options ro;
    ro.read_only = true;
    toonstore::database db = toonstore::database::open(db_path(dir), ro);
    CHECK_EQ(db.get(id).value(), "users[1]{id,name}: 1,Alice");
    CHECK_EQ(collect(db.scan()).size(), 1u);
    CHECK_THROWS_CODE(db.put("nope"), TOONSTORE_ERR_READ_ONLY);
    CHECK_THROWS_CODE(db.remove(id), TOONSTORE_ERR_READ_ONLY);
    row_id out = 77;
    CHECK_EQ(db.try_put("nope", &out), TOONSTORE_ERR_READ_ONLY);
    CHECK_EQ(out, 77);  // untouched on failure
    CHECK_EQ(db.try_remove(id), TOONSTORE_ERR_READ_ONLY);
    toonstore::batch b = db.new_batch();
    b.put("nope");
    CHECK_THROWS_CODE(b.commit(), TOONSTORE_ERR_READ_ONLY);
    CHECK(db.contains(id));
}

TEST(moved_from_handles_throw_closed) {
    toonstore::database db(db_path(dir));
    const row_id id = db.put("x");
    toonstore::database moved = std::move(db);
    CHECK(!db.is_open());  // NOLINT(bugprone-use-after-move): that is the test
    CHECK(moved.is_open());
    CHECK_THROWS_CODE(db.put("y"), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(db.get(id), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(db.get_bytes(id), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(db.remove(id), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(db.contains(id), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(db.scan(), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(db.scan(0), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(db.snapshot(), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(db.stats(), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(db.sync(), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(db.compact(), TOONSTORE_ERR_CLOSED);
    toonstore::bytes buf;
    CHECK_THROWS_CODE(db.get_into(id, buf), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(db.new_batch().put("z").commit(), TOONSTORE_ERR_CLOSED);
    std::string s;
    CHECK_EQ(db.try_get(id, s), TOONSTORE_ERR_CLOSED);
    CHECK_EQ(db.try_put("y", nullptr), TOONSTORE_ERR_CLOSED);
    CHECK_EQ(db.try_remove(id), TOONSTORE_ERR_CLOSED);
    CHECK_EQ(db.try_sync(), TOONSTORE_ERR_CLOSED);
    CHECK_EQ(moved.get(id).value(), "x");

    toonstore::cursor c = moved.scan();
    toonstore::cursor c2 = std::move(c);
    CHECK_THROWS_CODE(c.begin(), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(c.next(), TOONSTORE_ERR_CLOSED);
    toonstore::row r;
    CHECK_EQ(c.try_next(r), TOONSTORE_ERR_CLOSED);
    CHECK_EQ(collect(std::move(c2)).size(), 1u);

    toonstore::snapshot sn = moved.snapshot();
    toonstore::snapshot sn2 = std::move(sn);
    CHECK_THROWS_CODE(sn.get(id), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(sn.scan(), TOONSTORE_ERR_CLOSED);
    toonstore::borrowed_bytes bb;
    CHECK_EQ(sn.try_get(id, bb), TOONSTORE_ERR_CLOSED);
    CHECK(sn2.contains(id));

    toonstore::batch b = moved.new_batch();
    toonstore::batch b2 = std::move(b);
    CHECK_THROWS_CODE(b.put("z"), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(b.remove(id), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(b.commit(), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(b.commit(moved), TOONSTORE_ERR_CLOSED);
    CHECK_EQ(b.size(), 0u);
    b.clear();  // harmless
    b2.put("via moved batch");
    CHECK_EQ(b2.commit().size(), 1u);

    // move assignment closes what the target held and takes over
    toonstore::database other(db_path(dir, "other"));
    const row_id oid = other.put("other");
    moved = std::move(other);
    CHECK_EQ(moved.get(oid).value(), "other");
    CHECK(!other.is_open());
}

TEST(explicit_close_then_use_is_an_error) {
    toonstore::database db(db_path(dir));
    db.put("x");
    db.close();
    CHECK(!db.is_open());
    db.close();  // second close: no-op
    CHECK_THROWS_CODE(db.put("y"), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(db.get(0), TOONSTORE_ERR_CLOSED);
    // a database can be opened again in the same directory after close
    toonstore::database again(db_path(dir));
    CHECK_EQ(collect(again.scan()).size(), 1u);
}

TEST(default_constructed_handles_are_empty) {
    toonstore::database db;
    CHECK(!db);
    CHECK_THROWS_CODE(db.put("x"), TOONSTORE_ERR_CLOSED);
    toonstore::snapshot s;
    CHECK(!s);
    toonstore::cursor c;
    CHECK(!c);
    CHECK(c.end() == toonstore::cursor::iterator());
    // a default-constructed batch is empty too: no C batch behind it
    toonstore::batch b;
    CHECK(!b);
    CHECK(b.native_handle() == nullptr);
    CHECK_THROWS_CODE(b.put("x"), TOONSTORE_ERR_CLOSED);
    CHECK_EQ(b.try_put("x"), TOONSTORE_ERR_CLOSED);
    CHECK_THROWS_CODE(b.commit(), TOONSTORE_ERR_CLOSED);
}

TEST(second_database_in_process_shares_it) {
    // libtoonstore 1.1: one database per directory and process; a second
    // open is another handle on it (docs/c/CONTRACT.md section 7).
    toonstore::database db(db_path(dir));
    const row_id id = db.put("x");
    toonstore::database other;
    CHECK_EQ(toonstore::database::try_open(db_path(dir), {}, other), TOONSTORE_OK);
    CHECK(other.is_open());
    CHECK_EQ(other.get(id).value(), "x");
    other.close();
    CHECK_EQ(db.get(id).value(), "x");  // still open through db
}

TEST(writer_cannot_join_a_read_only_open) {
    { toonstore::database(db_path(dir)).put("x"); }
    toonstore::open_options ro;
    ro.read_only = true;
    toonstore::database reader = toonstore::database::open(db_path(dir), ro);
    CHECK_THROWS_CODE(toonstore::database(db_path(dir)), TOONSTORE_ERR_LOCKED);
    toonstore::database other;
    CHECK_EQ(toonstore::database::try_open(db_path(dir), {}, other), TOONSTORE_ERR_LOCKED);
    CHECK(!other.is_open());
}

TEST(open_options_and_try_open) {
    // create_if_missing = false on a missing directory fails and opens nothing
    toonstore::open_options no_create;
    no_create.create_if_missing = false;
    toonstore::database db;
    const int rc = toonstore::database::try_open(db_path(dir, "missing"), no_create, db);
    CHECK(rc < 0);
    CHECK(!db.is_open());
    CHECK(!fs::exists(db_path(dir, "missing")));
    bool threw = false;
    try {
        (void)toonstore::database::open(db_path(dir, "missing"), no_create);
    } catch (const toonstore::error& e) {
        threw = true;
        CHECK_EQ(e.code(), rc);
    }
    CHECK(threw);

    // a path with a NUL byte is refused before reaching C
    CHECK_EQ(toonstore::database::try_open(std::string_view("a\0b", 3), {}, db), TOONSTORE_ERR_INVALID_ARG);
    CHECK_THROWS_CODE(toonstore::database(std::string_view("a\0b", 3)), TOONSTORE_ERR_INVALID_ARG);

    // every field reaches the C struct; unset ones keep the library defaults
    ToonStoreOpenOptions defaults;
    CHECK_EQ(toonstore_open_options_init(&defaults, TOONSTORE_OPEN_OPTIONS_VERSION), TOONSTORE_OK);
    ToonStoreOpenOptions c;
    CHECK_EQ(toonstore::open_options().to_c(c), TOONSTORE_OK);
    CHECK_EQ(c.version, static_cast<std::uint32_t>(TOONSTORE_OPEN_OPTIONS_VERSION));
    CHECK_EQ(c.durability, defaults.durability);
    CHECK_EQ(c.max_value_size, defaults.max_value_size);
    CHECK_EQ(c.segment_size, defaults.segment_size);
    CHECK_EQ(c.sync_interval_ms, defaults.sync_interval_ms);
    CHECK_EQ(c.verify_checksums, defaults.verify_checksums);
    toonstore::open_options o;
    o.durability_level = toonstore::durability::full;
    o.read_only = true;
    o.create_if_missing = false;
    o.verify_checksums = false;
    o.sync_interval_ms = 250;
    o.max_value_size = 4096;
    o.segment_size = 1u << 20;
    CHECK_EQ(o.to_c(c), TOONSTORE_OK);
    CHECK_EQ(c.durability, static_cast<std::uint32_t>(TOONSTORE_DURABILITY_FULL));
    CHECK_EQ(c.read_only, 1u);
    CHECK_EQ(c.create_if_missing, 0u);
    CHECK_EQ(c.verify_checksums, 0u);
    CHECK_EQ(c.sync_interval_ms, 250u);
    CHECK_EQ(c.max_value_size, 4096u);
    CHECK_EQ(c.segment_size, static_cast<std::uint64_t>(1u << 20));

    // opened with options: a successful try_open fills the handle
    toonstore::open_options full;
    full.durability_level = toonstore::durability::full;
    CHECK_EQ(toonstore::database::try_open(db_path(dir), full, db), TOONSTORE_OK);
    CHECK(db.is_open());
    CHECK(db.put("durable") >= 0);
}

TEST(value_too_large) {
    toonstore::open_options o;
    o.max_value_size = 16;
    toonstore::database db = toonstore::database::open(db_path(dir), o);
    CHECK(db.put(std::string(16, 'a')) >= 0);
    CHECK_THROWS_CODE(db.put(std::string(17, 'a')), TOONSTORE_ERR_TOO_LARGE);
    // in a batch, the size is checked when the row is added or at commit
    toonstore::batch b = db.new_batch();
    bool rejected = false;
    try {
        b.put(std::string(17, 'b'));
        b.commit();
    } catch (const toonstore::error& e) {
        rejected = e.code() == TOONSTORE_ERR_TOO_LARGE;
    }
    CHECK(rejected);
    CHECK_EQ(collect(db.scan()).size(), 1u);
}

TEST(stats_sync_compact) {
    toonstore::database db(db_path(dir));
    std::vector<row_id> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(db.put(std::string(100, static_cast<char>('a' + i))));
    const toonstore::stats before = db.stats();
    CHECK_EQ(before.live_rows, 10u);
    CHECK_EQ(before.deleted_rows, 0u);
    CHECK(before.live_bytes >= 1000u);  // payload, plus record headers
    CHECK(before.segment_count >= 1u);
    for (int i = 0; i < 6; ++i) CHECK(db.remove(ids[static_cast<std::size_t>(i)]));
    db.sync();
    toonstore::stats s = db.stats();
    CHECK_EQ(s.live_rows, 4u);
    CHECK_EQ(s.deleted_rows, 6u);
    CHECK_EQ(s.next_row_id, static_cast<std::uint64_t>(ids.back() + 1));
    CHECK_EQ(s.live_bytes * 10, before.live_bytes * 4);  // equal-sized rows: 4 of 10 left
    CHECK(s.garbage_fraction > 0.0 && s.garbage_fraction <= 1.0);
    CHECK(s.disk_bytes > 0u);
    db.compact();
    toonstore::stats t = db.stats();
    CHECK_EQ(t.live_rows, 4u);
    CHECK(t.live_bytes >= 400u);
    CHECK(t.garbage_fraction < s.garbage_fraction);  // the deleted rows' space was reclaimed
    for (std::size_t i = 6; i < ids.size(); ++i)
        CHECK_EQ(db.get(ids[i]).value(), std::string(100, static_cast<char>('a' + i)));
}

TEST(exceptions_unwind_without_leaks) {
    // Holds every handle type when an exception leaves the scope; under
    // AddressSanitizer/LeakSanitizer a leaked C handle fails the run.
    toonstore::database db(db_path(dir));
    for (int i = 0; i < 3; ++i) db.put("row");
    int caught = 0;
    for (int round = 0; round < 3; ++round) {
        try {
            toonstore::snapshot snap = db.snapshot();
            toonstore::batch b = db.new_batch();
            b.put("pending");
            for (const auto& r : db.scan()) {
                (void)r;
                (void)db.get(-1);  // throws mid-iteration
            }
        } catch (const toonstore::error& e) {
            if (e.code() == TOONSTORE_ERR_INVALID_ARG) ++caught;
        }
    }
    CHECK_EQ(caught, 3);
    CHECK_EQ(db.stats().live_rows, 3u);  // the pending batches were discarded
}

TEST(release_and_adopt_database) {
    toonstore::database db(db_path(dir));
    const row_id id = db.put("x");
    ToonStore* raw = db.native_handle();
    CHECK(raw != nullptr);
    ToonStore* released = db.release();
    CHECK_EQ(released, raw);
    CHECK(!db.is_open());
    toonstore::database adopted(released);
    CHECK_EQ(adopted.get(id).value(), "x");
}

TEST(one_database_many_threads) {
    toonstore::database db(db_path(dir));
    constexpr int threads = 4;
    constexpr int per_thread = 200;
    std::vector<std::vector<row_id>> ids(threads);
    std::atomic<int> errors{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            try {
                for (int i = 0; i < per_thread; ++i) {
                    const std::string v = str("t", std::to_string(t), "-", std::to_string(i));
                    const row_id id = db.put(v);
                    ids[static_cast<std::size_t>(t)].push_back(id);
                    if (db.get(id).value_or("") != v) ++errors;
                }
            } catch (...) {
                ++errors;
            }
        });
    }
    for (auto& th : pool) th.join();
    CHECK_EQ(errors.load(), 0);
    std::set<row_id> all;
    for (const auto& v : ids) all.insert(v.begin(), v.end());
    CHECK_EQ(all.size(), static_cast<std::size_t>(threads * per_thread));
    CHECK_EQ(db.stats().live_rows, static_cast<std::uint64_t>(threads * per_thread));
}

// ---------------------------------------------------------------------------

TEST(one_snapshot_read_from_many_threads) {
    // The documented rule (toonstore.h, docs/c, docs/cpp, docs/zig): a
    // snapshot may be read (get, try_get, contains, scan) from many threads
    // at once; only moving, reset() and destruction need it to yourself.
    toonstore::database db(db_path(dir));
    std::vector<row_id> ids;
    for (int i = 0; i < 200; ++i) ids.push_back(db.put("row " + std::to_string(i)));
    const toonstore::snapshot sn = db.snapshot();
    for (int i = 0; i < 200; i += 2) db.remove(ids[static_cast<std::size_t>(i)]);  // after the snapshot
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&sn, &ids, &bad] {
            for (int round = 0; round < 5; ++round) {
                for (std::size_t i = 0; i < ids.size(); ++i) {
                    auto v = sn.get(ids[i]);
                    if (!v || v->as_string_view() != "row " + std::to_string(i)) ++bad;
                }
                std::size_t n = 0;
                for (const toonstore::row& r : sn.scan()) n += r.data.empty() ? 0u : 1u;
                if (n != ids.size()) ++bad;
            }
        });
    }
    for (std::thread& th : threads) th.join();
    CHECK_EQ(bad.load(), 0);
}

TEST(cursor_and_snapshot_outlive_their_database) {
    // docs/cpp "Lifetimes": a cursor and a snapshot keep the rows they read
    // alive; closing or destroying the database object does not end them.
    std::optional<toonstore::cursor> c;
    std::optional<toonstore::snapshot> sn;
    {
        toonstore::database db(db_path(dir));
        db.put("a");
        db.put("b");
        c.emplace(db.scan());
        sn.emplace(db.snapshot());
        CHECK_EQ(c->next()->data.to_string(), "a");
    }
    CHECK_EQ(c->next()->data.to_string(), "b");
    CHECK(!c->next().has_value());
    CHECK_EQ(sn->get(1)->as_string_view(), "b");
    CHECK_EQ(collect(sn->scan()).size(), 2u);
}

// ---------------------------------------------------------------------------
// round 2 (issue 23): lifetimes, own error messages, get_into, overloads

namespace {
// Makes the thread's last C error an unrelated "row not found" one.
void leave_stale_c_error(toonstore::database& db) {
    std::string s;
    CHECK_EQ(db.try_get(424242, s), TOONSTORE_ERR_NOT_FOUND);
    CHECK(std::string(toonstore::last_error()).find("424242") != std::string::npos);
}

// Runs `expr`, requires toonstore::error CLOSED whose what() describes the
// wrapper's own finding, not the thread's stale C error.
#define CHECK_OWN_CLOSED(expr)                                                                   \
    do {                                                                                         \
        bool thrown_ = false;                                                                    \
        try {                                                                                    \
            (void)(expr);                                                                        \
        } catch (const toonstore::error& e_) {                                                   \
            thrown_ = true;                                                                      \
            const std::string w_ = e_.what();                                                    \
            if (e_.code() != TOONSTORE_ERR_CLOSED || w_.find("424242") != std::string::npos ||   \
                w_.find("not found") != std::string::npos)                                       \
                throw check_failure(where(__FILE__, __LINE__) + #expr " threw: " + w_);          \
        }                                                                                        \
        if (!thrown_) throw check_failure(where(__FILE__, __LINE__) + #expr " did not throw");   \
    } while (0)

// An allocator that counts the elements it constructs, to see zero-fills.
template <class T>
struct counting_alloc {
    using value_type = T;
    static inline std::size_t constructed = 0;
    counting_alloc() noexcept = default;
    template <class U>
    counting_alloc(const counting_alloc<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>().deallocate(p, n); }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ++constructed;
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
    friend bool operator==(const counting_alloc&, const counting_alloc&) noexcept { return true; }
    friend bool operator!=(const counting_alloc&, const counting_alloc&) noexcept { return false; }
};
}  // namespace

TEST(wrapper_errors_carry_their_own_message) {
    toonstore::database db(db_path(dir));
    const row_id id = db.put("x");
    toonstore::database moved = std::move(db);
    toonstore::snapshot sn = moved.snapshot();
    toonstore::snapshot sn_moved = std::move(sn);
    toonstore::batch b = moved.new_batch();
    toonstore::batch b_moved = std::move(b);
    toonstore::cursor c = moved.scan();
    toonstore::cursor c_moved = std::move(c);
    std::string out;
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(db.put("y"));
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(db.put("y", toonstore::durability::full));
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(db.sync());
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(db.compact());
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(db.remove(id));
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(db.get(id));
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(db.get_into(id, out));
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(db.new_batch());
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(sn.get(id));
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(sn.scan());
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(b.put("z"));
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(b.remove(id));
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(b.commit());
    leave_stale_c_error(moved); CHECK_OWN_CLOSED(c.next());
}

TEST(batch_outliving_its_database_throws_closed) {
    // The wrapper must find out itself that the database is gone: it never
    // hands the freed C handle to the library (whose quarantine of released
    // handles is finite), so the message is the wrapper's own, and
    // valgrind/ASan see no use of freed memory.
    for (int round = 0; round < 20; ++round) {
        toonstore::batch b;
        {
            toonstore::database db(db_path(dir));
            b = db.new_batch();
            b.put("pending");
        }  // database destroyed (closed) before the batch
        row_id first = 7;
        CHECK_EQ(b.try_commit(&first), TOONSTORE_ERR_CLOSED);
        CHECK_EQ(first, 7);
        {
            try {
                (void)b.commit();
                CHECK(false);
            } catch (const toonstore::error& e) {
                CHECK_EQ(e.code(), TOONSTORE_ERR_CLOSED);
                CHECK(std::string(e.what()).find("database of this batch") != std::string::npos);
            }
        }
        CHECK_EQ(b.size(), 1u);  // the batch itself is intact and still freeable
    }
    // close(), release() and move-assignment also cut the batch off
    toonstore::database db(db_path(dir));
    toonstore::batch b1 = db.new_batch();
    b1.put("a");
    db.close();
    CHECK_THROWS_CODE(b1.commit(), TOONSTORE_ERR_CLOSED);
    toonstore::database db2(db_path(dir));
    toonstore::batch b2 = db2.new_batch();
    b2.put("b");
    ToonStore* raw = db2.release();
    CHECK_THROWS_CODE(b2.commit(), TOONSTORE_ERR_CLOSED);
    toonstore_close(raw);
    // a database moved elsewhere takes its batches along
    toonstore::database db3(db_path(dir));
    toonstore::batch b3 = db3.new_batch();
    b3.put("c");
    toonstore::database db4 = std::move(db3);
    CHECK_EQ(b3.commit().size(), 1u);
    CHECK_EQ(collect(db4.scan()).size(), 1u);
}

TEST(get_into_does_not_fill_the_capacity) {
    toonstore::database db(db_path(dir));
    const row_id big_id = db.put(std::string(1 << 20, 'b'));
    const row_id small_id = db.put("small row");
    const row_id mid_id = db.put("a somewhat longer row");
    std::vector<std::uint8_t, counting_alloc<std::uint8_t>> buf;
    CHECK(db.get_into(big_id, buf));
    CHECK_EQ(buf.size(), std::size_t{1} << 20);
    const std::uint8_t* before = buf.data();
    counting_alloc<std::uint8_t>::constructed = 0;
    CHECK(db.get_into(small_id, buf));
    CHECK(std::string(buf.begin(), buf.end()) == "small row");
    CHECK_EQ(counting_alloc<std::uint8_t>::constructed, 0u);  // shrinking fills nothing
    CHECK(db.get_into(mid_id, buf));                          // grows to exactly the row
    CHECK(std::string(buf.begin(), buf.end()) == "a somewhat longer row");
    CHECK(counting_alloc<std::uint8_t>::constructed <= 21u);
    CHECK_EQ(buf.data(), before);  // never reallocated
}

TEST(get_into_any_byte_container) {
    toonstore::database db(db_path(dir));
    const row_id id = db.put(std::string("bin\0ary", 7));
    std::string s = "previous content that is longer";
    CHECK(db.get_into(id, s));
    CHECK(s == std::string("bin\0ary", 7));
    std::vector<char> vc;
    CHECK(db.get_into(id, vc));
    CHECK_EQ(vc.size(), 7u);
    std::vector<std::byte> vb;
    CHECK(db.get_into(id, vb));
    CHECK(vb.size() == 7u && vb[3] == std::byte{0});
    CHECK(!db.get_into(id + 100, s));
    CHECK(s.empty());
    CHECK_THROWS_CODE(db.get_into(-3, s), TOONSTORE_ERR_INVALID_ARG);
}

TEST(put_overloads_match_between_database_and_batch) {
    toonstore::database db(db_path(dir));
    const toonstore::bytes u8{1, 2, 0, 3};
    const std::vector<char> vc{'c', 'h'};
    const std::vector<unsigned char> vu{9};
    const std::vector<std::byte> vb{std::byte{7}, std::byte{0}};
    const std::array<char, 3> arr{'a', 'r', 'r'};
    const row_id i1 = db.put(u8);
    const row_id i2 = db.put(vc);
    const row_id i3 = db.put(vu, toonstore::durability::full);
    const row_id i4 = db.put(vb);
    const row_id i5 = db.put(arr);
    const row_id i6 = db.put(u8, toonstore::durability::off);
    const row_id i7 = db.put(std::string("text"), toonstore::durability::normal);
    const row_id i8 = db.put("literal");  // no trailing NUL stored
    CHECK(db.get_bytes(i1).value() == u8);
    CHECK_EQ(db.get(i2).value(), "ch");
    CHECK_EQ(db.get_bytes(i3).value().at(0), 9);
    CHECK_EQ(db.get(i4).value(), std::string("\x07\0", 2));
    CHECK_EQ(db.get(i5).value(), "arr");
    CHECK(db.get_bytes(i6).value() == u8);
    CHECK_EQ(db.get(i7).value(), "text");
    CHECK_EQ(db.get(i8).value(), "literal");
#if TOONSTORE_HPP_HAS_SPAN
    const row_id i9 = db.put(std::span<const std::byte>(vb));
    CHECK_EQ(db.get(i9).value().size(), 2u);
#endif
    toonstore::batch b = db.new_batch();
    b.put(u8).put(vc).put(vu).put(vb).put(arr).put("literal").put(std::string("s"));
    row_id first = -1;
    CHECK_EQ(b.try_put(vc), TOONSTORE_OK);
    CHECK_EQ(b.try_commit(&first), TOONSTORE_OK);
    CHECK_EQ(db.get(first).value(), std::string("\x01\x02\0\x03", 4));
    CHECK_EQ(db.get(first + 5).value(), "literal");
    CHECK_EQ(db.get(first + 7).value(), "ch");
}

TEST(cursor_postfix_increment_is_an_input_iterator) {
    toonstore::database db(db_path(dir));
    db.put("a");
    db.put("b");
    toonstore::cursor c = db.scan();
    auto it = c.begin();
    const toonstore::row r = *it++;  // the row before the step
    CHECK_EQ(r.id, 0);
    CHECK_EQ(it->id, 1);
    CHECK_EQ(it->data.to_string(), "b");
    it++;
    CHECK(it == c.end());
}

TEST(open_with_filesystem_path) {
    const fs::path p = fs::path(dir) / "fsdb";
    toonstore::database db(p);
    db.put("x");
    db.close();
    toonstore::database again = toonstore::database::open(p);
    CHECK_EQ(again.get(0).value(), "x");
    CHECK(fs::exists(p));
}

TEST(snapshot_accessors_on_lvalues_only) {
    toonstore::database db(db_path(dir));
    const row_id id = db.put("kept");
    toonstore::snapshot sn = db.snapshot();
    db.remove(id);
    db.compact();
    CHECK_EQ(sn.get(id)->as_string_view(), "kept");  // the snapshot variable keeps the bytes
    CHECK_EQ(collect(sn.scan()).size(), 1u);
    CHECK(sn.contains(id));
}

TEST(typed_errors_and_error_code) {
    static_assert(std::is_base_of_v<toonstore::error, toonstore::locked>);
    static_assert(std::is_base_of_v<toonstore::error, toonstore::not_found>);
    static_assert(std::is_base_of_v<toonstore::error, toonstore::corrupt>);
    static_assert(std::is_base_of_v<toonstore::error, toonstore::closed>);
    static_assert(std::is_base_of_v<toonstore::error, toonstore::forked>);
    toonstore::database db(db_path(dir));
    bool caught = false;
    try {
        (void)toonstore::check(db_path(dir));  // open for writing here: LOCKED
    } catch (const toonstore::locked& e) {
        caught = true;
        CHECK_EQ(e.code(), TOONSTORE_ERR_LOCKED);
        CHECK(e.errc() == toonstore::errc::locked);
        CHECK(e.error_code() == toonstore::errc::locked);
        CHECK_EQ(std::string(e.name()), "TOONSTORE_ERR_LOCKED");
        CHECK(std::string(e.what()).rfind("TOONSTORE_ERR_LOCKED: ", 0) == 0);
    }
    CHECK(caught);
    toonstore::database gone;
    try {
        gone.put("x");
        CHECK(false);
    } catch (const toonstore::closed& e) {
        CHECK(std::string(e.what()).rfind("TOONSTORE_ERR_CLOSED: ", 0) == 0);
    }
    toonstore::batch b = db.new_batch();
    b.remove(12345);
    try {
        (void)b.commit();
        CHECK(false);
    } catch (const toonstore::not_found& e) {
        CHECK(e.errc() == toonstore::errc::not_found);
    }
    const std::error_code ec = toonstore::errc::corrupt;
    CHECK_EQ(std::string(ec.category().name()), "toonstore");
    CHECK_EQ(ec.value(), TOONSTORE_ERR_CORRUPT);
    CHECK(ec.message().rfind("TOONSTORE_ERR_CORRUPT: ", 0) == 0);
    CHECK_EQ(std::string(toonstore::error_name(TOONSTORE_ERR_FORKED)), "TOONSTORE_ERR_FORKED");
}

TEST(check_walks_a_closed_database) {
    {
        toonstore::database db(db_path(dir));
        db.put("a");
        db.put("b");
        // open for writing: the check cannot run
        CHECK_THROWS_CODE(toonstore::check(db_path(dir)), TOONSTORE_ERR_LOCKED);
    }
    const toonstore::check_report r = toonstore::check(fs::path(db_path(dir)));
    CHECK(r.healthy);
    CHECK(r.first_problem.empty());
    CHECK_EQ(r.live_rows, 2u);
    CHECK(r.records >= 2u);
    CHECK_THROWS_CODE(toonstore::check(db_path(dir, "nothing-here")), TOONSTORE_ERR_IO);
    CHECK_THROWS_CODE(toonstore::check(std::string("a\0b", 3)), TOONSTORE_ERR_INVALID_ARG);
}

TEST(result_returning_api) {
    toonstore::result<toonstore::database> opened = toonstore::database::try_open(db_path(dir));
    CHECK(opened.has_value());
    CHECK_EQ(opened.code(), TOONSTORE_OK);
    toonstore::database db = std::move(opened).value();
    toonstore::result<row_id> id = db.try_put("hello");
    CHECK(id && *id == 0);
    CHECK(db.try_put(std::vector<char>{'x'}, toonstore::durability::full).has_value());
    toonstore::result<std::optional<std::string>> got = db.try_get(0);
    CHECK(got && got->value() == "hello");
    CHECK(!db.try_get(99).value().has_value());  // absent: a value, not a failure
    toonstore::result<std::optional<std::string>> bad = db.try_get(-1);
    CHECK(!bad);
    CHECK_EQ(bad.code(), TOONSTORE_ERR_INVALID_ARG);
    CHECK(bad.error() == toonstore::errc::invalid_arg);
    CHECK(bad.message().rfind("TOONSTORE_ERR_INVALID_ARG: ", 0) == 0);
    CHECK_THROWS_CODE(bad.value(), TOONSTORE_ERR_INVALID_ARG);
    toonstore::open_options no_create;
    no_create.create_if_missing = false;
    toonstore::result<toonstore::database> missing = toonstore::database::try_open(db_path(dir, "missing"), no_create);
    CHECK(!missing);
    CHECK(missing.code() < 0);
    toonstore::database empty;
    leave_stale_c_error(db);
    toonstore::result<row_id> closed = empty.try_put("x");
    CHECK_EQ(closed.code(), TOONSTORE_ERR_CLOSED);
    CHECK(closed.message().find("424242") == std::string::npos);
    CHECK_EQ(closed.value_or(-5), -5);
    try {
        (void)closed.value();
        CHECK(false);
    } catch (const toonstore::closed&) {
    }
}

int main(int argc, char** argv) {
    const char* only = argc > 1 ? argv[1] : nullptr;
    int passed = 0;
    int failed = 0;
    for (const test_case& t : registry()) {
        if (only && std::strstr(t.name, only) == nullptr) continue;
        const std::string dir = make_temp_dir();
        std::string failure;
        try {
            t.fn(dir);
        } catch (const check_failure& e) {
            failure = e.what();
        } catch (const toonstore::error& e) {
            failure = str("unexpected toonstore::error code ", std::to_string(e.code()), ": ", e.what());
        } catch (const std::exception& e) {
            failure = std::string("unexpected exception: ") + e.what();
        } catch (...) {
            failure = "unexpected non-standard exception";
        }
        std::error_code ec;
        fs::remove_all(dir, ec);
        if (failure.empty()) {
            ++passed;
            std::printf("ok   %s\n", t.name);
        } else {
            ++failed;
            std::printf("FAIL %s\n     %s\n", t.name, failure.c_str());
        }
        std::fflush(stdout);
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return (failed == 0 && passed > 0) ? 0 : 1;
}
