/*
 * toonstore.hpp - header-only C++17 wrapper over the ToonStore C API.
 *
 * Everything here is written against toonstore.h only; nothing links to the
 * Rust side except through the C functions. Link with libtoonstore as usual
 * (pkg-config "toonstore" or CMake target ToonStore::toonstore).
 *
 * Conventions of this wrapper:
 *   - every handle is move-only: copy is deleted, move is noexcept, and a
 *     moved-from handle is empty; calling a method on an empty handle throws
 *     toonstore::error with code TOONSTORE_ERR_CLOSED (the try_* variants
 *     return that code). It never dereferences a null pointer.
 *   - destructors are noexcept and release the C handle.
 *   - failures throw toonstore::error, which carries the C error code.
 *     "Row not found" is not an error: it is std::nullopt / false.
 *   - try_* functions are noexcept and return the C code instead of throwing.
 *   - bytes go in as std::string_view (or pointer + length); owned bytes come
 *     out as std::string (any bytes, NULs included) or toonstore::bytes
 *     (std::vector<std::uint8_t>); borrowed bytes come out as
 *     toonstore::borrowed_bytes, whose documentation says how long it lives.
 */
#ifndef TOONSTORE_HPP
#define TOONSTORE_HPP

#if !defined(__cplusplus)
#error "toonstore.hpp is a C++ header; C programs include toonstore.h"
#endif
#if defined(_MSVC_LANG)
#define TOONSTORE_HPP_CPLUSPLUS _MSVC_LANG
#else
#define TOONSTORE_HPP_CPLUSPLUS __cplusplus
#endif
#if TOONSTORE_HPP_CPLUSPLUS < 201703L
#error "toonstore.hpp requires C++17 or later (compile with -std=c++17)"
#endif

#include "toonstore.h"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if TOONSTORE_HPP_CPLUSPLUS >= 202002L && defined(__has_include)
#if __has_include(<span>)
#include <span>
#endif
#endif
#if defined(__cpp_lib_span) && __cpp_lib_span >= 202002L
#define TOONSTORE_HPP_HAS_SPAN 1
#else
#define TOONSTORE_HPP_HAS_SPAN 0
#endif

namespace toonstore {

/// A row id: assigned by the database, increasing, never reused.
using row_id = std::int64_t;

/// Owned binary bytes (for rows that are not text).
using bytes = std::vector<std::uint8_t>;

/// How hard a write is pushed to disk before it is acknowledged.
enum class durability : std::uint32_t {
    off = TOONSTORE_DURABILITY_OFF,        ///< reaches the OS before put returns (survives a process crash); flushed only by sync/close; fastest
    normal = TOONSTORE_DURABILITY_NORMAL,  ///< reaches the OS before put returns (default)
    full = TOONSTORE_DURABILITY_FULL,      ///< fsync before put returns
    database_default = TOONSTORE_DURABILITY_DEFAULT  ///< put: the mode the database was opened with
};

/// The exception thrown by every throwing function of this header.
class error : public std::runtime_error {
public:
    error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    /// The TOONSTORE_ERR_* code (negative).
    int code() const noexcept { return code_; }

private:
    int code_;
};

/// Static text for a code, never null (toonstore_strerror).
inline const char* strerror(int code) noexcept { return toonstore_strerror(code); }

/// The calling thread's last error message, or an empty string when there was none.
inline std::string last_error() {
    const char* m = toonstore_last_error();
    return m ? std::string(m) : std::string();
}

/// Version of the library the program runs with ("1.0.0").
inline std::string_view version() noexcept {
    const char* v = toonstore_version();
    return v ? std::string_view(v) : std::string_view();
}

/// Version number of the library the program runs with (MAJOR*1000000 + MINOR*1000 + PATCH).
inline std::uint32_t version_number() noexcept { return toonstore_version_number(); }

namespace detail {

/* Builds the exception for a code returned by a C call made just before on
 * this thread, so toonstore_last_error() still describes that failure. */
[[noreturn]] inline void throw_last(int code) {
    const std::string_view name = toonstore_strerror(code);
    const char* detail = toonstore_last_error();
    const std::string_view d = detail ? std::string_view(detail) : std::string_view();
    // what(): the code's name, then the library's detail; the detail often
    // starts with the name already, which is then not repeated.
    if (d.empty()) throw error(code, std::string(name));
    if (d.substr(0, name.size()) == name) throw error(code, std::string(d));
    std::string message(name.size() + 2 + d.size(), ':');
    name.copy(&message[0], name.size());
    message[name.size() + 1] = ' ';
    d.copy(&message[name.size() + 2], d.size());
    throw error(code, message);
}

/* For failures found by the wrapper itself (empty handle, bad argument). */
[[noreturn]] inline void throw_own(int code, const char* what) {
    std::string message = toonstore_strerror(code);
    message += ": ";
    message += what;
    throw error(code, message);
}

[[noreturn]] inline void throw_closed(const char* what) { throw_own(TOONSTORE_ERR_CLOSED, what); }

inline int check(int rc) {
    if (rc < 0) throw_last(rc);
    return rc;
}

/* The C API takes (pointer, length); an empty view may have a null data()
 * pointer, so hand it a valid one-past pointer instead. */
inline const std::uint8_t* data_of(std::string_view s) noexcept {
    static const std::uint8_t empty = 0;
    return s.empty() ? &empty : reinterpret_cast<const std::uint8_t*>(s.data());
}

inline const std::uint8_t* data_of(const std::uint8_t* p, std::size_t n) noexcept {
    static const std::uint8_t empty = 0;
    return (p == nullptr && n == 0) ? &empty : p;
}

struct buffer_deleter {
    void operator()(std::uint8_t* p) const noexcept { toonstore_free_buffer(p); }
};
using owned_buffer = std::unique_ptr<std::uint8_t, buffer_deleter>;

/* Paths must be NUL-terminated for C; an embedded NUL is rejected here
 * rather than silently truncating the path. */
inline std::string c_path(std::string_view path) {
    if (path.find('\0') != std::string_view::npos)
        throw_own(TOONSTORE_ERR_INVALID_ARG, "path contains a NUL byte");
    return std::string(path);
}

}  // namespace detail

/// Bytes borrowed from the library: no copy was made. It does not own its
/// memory; how long it stays valid is written where it is returned (until the
/// next step of a cursor, or until a snapshot is released). Copy out with
/// to_string() / to_bytes() to keep the bytes longer.
class borrowed_bytes {
public:
    using value_type = std::uint8_t;
    using const_iterator = const std::uint8_t*;

    constexpr borrowed_bytes() noexcept = default;
    constexpr borrowed_bytes(const std::uint8_t* data, std::size_t size) noexcept
        : data_(data), size_(size) {}

    const std::uint8_t* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const std::uint8_t* begin() const noexcept { return data_; }
    const std::uint8_t* end() const noexcept { return data_ + size_; }
    std::uint8_t operator[](std::size_t i) const noexcept { return data_[i]; }

    /// The same bytes viewed as characters (TOON lines are text). Still borrowed.
    std::string_view as_string_view() const noexcept {
        return size_ ? std::string_view(reinterpret_cast<const char*>(data_), size_) : std::string_view();
    }
#if TOONSTORE_HPP_HAS_SPAN
    /// The same bytes as a std::span (C++20). Still borrowed.
    std::span<const std::uint8_t> as_span() const noexcept {
        return size_ ? std::span<const std::uint8_t>(data_, size_) : std::span<const std::uint8_t>();
    }
#endif
    /// An owned copy as text.
    std::string to_string() const { return std::string(as_string_view()); }
    /// An owned copy as binary bytes.
    bytes to_bytes() const { return size_ ? bytes(data_, data_ + size_) : bytes(); }

private:
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

/// One row yielded by a cursor. `data` is borrowed (see cursor).
struct row {
    row_id id = -1;
    borrowed_bytes data;
};

/// Counters of a database (toonstore_stats).
struct stats {
    std::uint64_t live_rows = 0;
    std::uint64_t deleted_rows = 0;
    std::uint64_t next_row_id = 0;
    std::uint64_t live_bytes = 0;
    std::uint64_t disk_bytes = 0;
    std::uint64_t segment_count = 0;
    double garbage_fraction = 0.0;
};

/// Options for database::open. Unset std::optional fields keep the library's
/// defaults (toonstore_open_options_init), so a newer library's defaults apply.
struct open_options {
    std::optional<toonstore::durability> durability_level;  ///< default: normal
    bool read_only = false;          ///< shared lock; writes fail with TOONSTORE_ERR_READ_ONLY
    bool create_if_missing = true;   ///< create the directory and database when missing
    std::optional<bool> verify_checksums;           ///< default: true
    std::optional<std::uint32_t> sync_interval_ms;  ///< normal mode's background fsync period
    std::optional<std::uint64_t> max_value_size;    ///< largest row accepted
    std::optional<std::uint64_t> segment_size;      ///< size of a segment file

    /// Fills the C struct: library defaults first, then the fields set here.
    int to_c(ToonStoreOpenOptions& out) const noexcept {
        int rc = toonstore_open_options_init(&out, TOONSTORE_OPEN_OPTIONS_VERSION);
        if (rc < 0) return rc;
        if (durability_level) out.durability = static_cast<std::uint32_t>(*durability_level);
        out.read_only = read_only ? 1u : 0u;
        out.create_if_missing = create_if_missing ? 1u : 0u;
        if (verify_checksums) out.verify_checksums = *verify_checksums ? 1u : 0u;
        if (sync_interval_ms) out.sync_interval_ms = *sync_interval_ms;
        if (max_value_size) out.max_value_size = *max_value_size;
        if (segment_size) out.segment_size = *segment_size;
        return TOONSTORE_OK;
    }
};

/// A forward-only walk over rows in ascending id order (toonstore_scan).
/// Move-only. Use it with range-for:
///
///     for (const toonstore::row& r : db.scan()) { use(r.id, r.data.as_string_view()); }
///
/// Each row's `data` is borrowed: valid until the cursor advances or is
/// destroyed (or, for a cursor made by snapshot::scan, until the snapshot is
/// released). A cursor reads a snapshot: rows written after it was made do
/// not appear. It belongs to one thread at a time.
class cursor {
public:
    /// Input iterator; the end iterator is the default-constructed (null) one.
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = row;
        using difference_type = std::ptrdiff_t;
        using pointer = const row*;
        using reference = const row&;

        iterator() noexcept = default;
        reference operator*() const noexcept { return cur_->current_; }
        pointer operator->() const noexcept { return &cur_->current_; }
        iterator& operator++() {
            if (cur_ && !cur_->advance()) cur_ = nullptr;
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.cur_ == b.cur_; }
        friend bool operator!=(const iterator& a, const iterator& b) noexcept { return a.cur_ != b.cur_; }

    private:
        friend class cursor;
        explicit iterator(cursor* c) noexcept : cur_(c) {}
        cursor* cur_ = nullptr;
    };

    cursor() noexcept = default;
    /// Takes ownership of a C iterator (null makes an empty cursor).
    explicit cursor(ToonStoreIter* it) noexcept : it_(it) {}
    cursor(const cursor&) = delete;
    cursor& operator=(const cursor&) = delete;
    cursor(cursor&& o) noexcept
        : it_(std::exchange(o.it_, nullptr)), current_(o.current_), done_(std::exchange(o.done_, false)) {}
    cursor& operator=(cursor&& o) noexcept {
        if (this != &o) {
            reset();
            it_ = std::exchange(o.it_, nullptr);
            current_ = o.current_;
            done_ = std::exchange(o.done_, false);
        }
        return *this;
    }
    ~cursor() { reset(); }

    /// Fetches the next row. Returns std::nullopt at the end (and on every later call).
    /// Throws toonstore::error on failure or on an empty cursor.
    std::optional<row> next() {
        if (!advance()) return std::nullopt;
        return current_;
    }

    /// Like next() without exceptions: 1 and `out` filled, 0 at the end, or a negative code.
    int try_next(row& out) noexcept {
        if (!it_) return TOONSTORE_ERR_CLOSED;
        if (done_) return 0;
        std::int64_t id = -1;
        std::uint8_t* data = nullptr;
        std::size_t len = 0;
        int rc = toonstore_iter_next(it_, &id, &data, &len);
        if (rc == 1) {
            current_ = row{id, borrowed_bytes(data, len)};
            out = current_;
        } else if (rc == 0) {
            done_ = true;
        }
        return rc;
    }

    /// Starts the walk: fetches the first row. Call once (input range).
    iterator begin() { return advance() ? iterator(this) : iterator(); }
    iterator end() noexcept { return iterator(); }

    bool valid() const noexcept { return it_ != nullptr; }
    explicit operator bool() const noexcept { return valid(); }
    ToonStoreIter* native_handle() const noexcept { return it_; }
    /// Gives up ownership of the C iterator (the caller frees it with toonstore_iter_free).
    ToonStoreIter* release() noexcept { return std::exchange(it_, nullptr); }
    /// Frees the C iterator now; the cursor becomes empty.
    void reset() noexcept {
        toonstore_iter_free(std::exchange(it_, nullptr));
        current_ = row{};
        done_ = false;
    }

private:
    bool advance() {
        if (!it_) detail::throw_closed("cursor is empty (moved-from or released)");
        row r;
        int rc = try_next(r);
        if (rc < 0) detail::throw_last(rc);
        return rc == 1;
    }

    ToonStoreIter* it_ = nullptr;
    row current_{};
    bool done_ = false;
};

/// A consistent, read-only view of a database at one moment
/// (toonstore_snapshot_open). Move-only. Reads are zero-copy: the bytes it
/// returns are borrowed and stay valid until this snapshot is destroyed or
/// reset(); the snapshot must not be destroyed while a cursor made from it
/// is still used.
class snapshot {
public:
    snapshot() noexcept = default;
    /// Takes ownership of a C snapshot.
    explicit snapshot(ToonStoreSnapshot* s) noexcept : s_(s) {}
    snapshot(const snapshot&) = delete;
    snapshot& operator=(const snapshot&) = delete;
    snapshot(snapshot&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    snapshot& operator=(snapshot&& o) noexcept {
        if (this != &o) {
            reset();
            s_ = std::exchange(o.s_, nullptr);
        }
        return *this;
    }
    ~snapshot() { reset(); }

    /// The row's bytes without copying, or std::nullopt when the row is not in
    /// the snapshot. Borrowed: valid until this snapshot is released.
    std::optional<borrowed_bytes> get(row_id id) const {
        borrowed_bytes out;
        int rc = try_get(id, out);
        if (rc == TOONSTORE_ERR_NOT_FOUND) return std::nullopt;
        detail::check(rc);
        return out;
    }

    /// Like get() without exceptions; returns TOONSTORE_OK, TOONSTORE_ERR_NOT_FOUND or another code.
    int try_get(row_id id, borrowed_bytes& out) const noexcept {
        if (!s_) return TOONSTORE_ERR_CLOSED;
        const std::uint8_t* data = nullptr;
        std::size_t len = 0;
        int rc = toonstore_snapshot_get(s_, id, &data, &len);
        if (rc == TOONSTORE_OK) out = borrowed_bytes(data, len);
        return rc;
    }

    /// Whether the row is in the snapshot.
    bool contains(row_id id) const { return get(id).has_value(); }

    /// Walks the snapshot's rows with id >= start. The rows' bytes stay valid
    /// until this snapshot is released (longer than a database cursor's).
    cursor scan(row_id start = 0) const {
        if (!s_) detail::throw_closed("snapshot is empty (moved-from or released)");
        ToonStoreIter* it = toonstore_snapshot_scan(s_, start);
        if (!it) detail::throw_last(last_code());
        return cursor(it);
    }

    bool valid() const noexcept { return s_ != nullptr; }
    explicit operator bool() const noexcept { return valid(); }
    ToonStoreSnapshot* native_handle() const noexcept { return s_; }
    ToonStoreSnapshot* release() noexcept { return std::exchange(s_, nullptr); }
    void reset() noexcept { toonstore_snapshot_free(std::exchange(s_, nullptr)); }

private:
    static int last_code() noexcept {
        int c = toonstore_last_error_code();
        return c < 0 ? c : TOONSTORE_ERR_INTERNAL;
    }
    ToonStoreSnapshot* s_ = nullptr;
};

class database;

/// A set of puts and deletes applied all together or not at all
/// (toonstore_batch_*). Move-only. A batch that is destroyed without a
/// successful commit() is discarded: nothing of it reaches the database.
///
/// A batch made by database::new_batch() remembers that database's C handle;
/// commit it (or let it go) before that database is closed. A batch made
/// with the default constructor is committed with commit(database&).
class batch {
public:
    /// An empty batch not tied to a database. Throws on allocation failure.
    batch() : b_(toonstore_batch_new()) {
        if (!b_) detail::throw_own(TOONSTORE_ERR_NOMEM, "toonstore_batch_new failed");
    }
    inline explicit batch(database& db);
    batch(const batch&) = delete;
    batch& operator=(const batch&) = delete;
    batch(batch&& o) noexcept
        : b_(std::exchange(o.b_, nullptr)), db_(std::exchange(o.db_, nullptr)), puts_(std::exchange(o.puts_, 0)) {}
    batch& operator=(batch&& o) noexcept {
        if (this != &o) {
            discard_handle();
            b_ = std::exchange(o.b_, nullptr);
            db_ = std::exchange(o.db_, nullptr);
            puts_ = std::exchange(o.puts_, 0);
        }
        return *this;
    }
    /// Discards whatever was not committed.
    ~batch() { discard_handle(); }

    /// Adds a put; returns *this for chaining.
    batch& put(std::string_view data) {
        detail::check(try_put(data));
        return *this;
    }
    batch& put(const std::uint8_t* data, std::size_t len) {
        detail::check(try_put(data, len));
        return *this;
    }
    /// Adds a delete of `id` (the commit fails with TOONSTORE_ERR_NOT_FOUND if it is absent then).
    batch& remove(row_id id) {
        detail::check(try_remove(id));
        return *this;
    }

    int try_put(std::string_view data) noexcept {
        return try_put(detail::data_of(data), data.size());
    }
    int try_put(const std::uint8_t* data, std::size_t len) noexcept {
        if (!b_) return TOONSTORE_ERR_CLOSED;
        int rc = toonstore_batch_put(b_, detail::data_of(data, len), len);
        if (rc == TOONSTORE_OK) ++puts_;
        return rc;
    }
    int try_remove(row_id id) noexcept {
        if (!b_) return TOONSTORE_ERR_CLOSED;
        return toonstore_batch_delete(b_, id);
    }

    /// Number of operations (puts + deletes) waiting.
    std::size_t size() const noexcept { return b_ ? toonstore_batch_count(b_) : 0; }
    bool empty() const noexcept { return size() == 0; }
    /// Number of puts waiting.
    std::size_t put_count() const noexcept { return puts_; }
    /// Drops the waiting operations; the batch can be reused.
    void clear() noexcept {
        if (b_) toonstore_batch_clear(b_);
        puts_ = 0;
    }

    /// Applies the batch to the database it was made from, atomically.
    /// Returns the ids given to its puts, in order. On success the batch is
    /// empty and reusable; on failure it throws and the batch is unchanged.
    std::vector<row_id> commit() {
        if (!db_) detail::throw_closed("batch has no database (use commit(database&))");
        return commit_to(db_);
    }
    /// Applies the batch to `db`, atomically; see commit().
    inline std::vector<row_id> commit(database& db);

    /// Like commit() without exceptions. `first_id` (may be null) gets the
    /// first put's id, or -1 when the batch had no puts.
    int try_commit(row_id* first_id = nullptr) noexcept { return try_commit_to(db_, first_id); }
    inline int try_commit(database& db, row_id* first_id = nullptr) noexcept;

    bool valid() const noexcept { return b_ != nullptr; }
    explicit operator bool() const noexcept { return valid(); }
    ToonStoreBatch* native_handle() const noexcept { return b_; }

private:
    void discard_handle() noexcept {
        toonstore_batch_free(std::exchange(b_, nullptr));
        db_ = nullptr;
        puts_ = 0;
    }
    int try_commit_to(ToonStore* db, row_id* first_id) noexcept {
        if (!b_ || !db) return TOONSTORE_ERR_CLOSED;
        std::int64_t first = -1;
        int rc = toonstore_batch_commit(db, b_, &first);
        if (rc == TOONSTORE_OK) {
            puts_ = 0;
            if (first_id) *first_id = first;
        }
        return rc;
    }
    std::vector<row_id> commit_to(ToonStore* db) {
        if (!b_) detail::throw_closed("batch is empty (moved-from)");
        if (!db) detail::throw_closed("database is closed or moved-from");
        // Reserve before committing so that an allocation failure cannot
        // happen after the rows are already written.
        std::vector<row_id> ids;
        ids.reserve(puts_);
        const std::size_t n = puts_;
        row_id first = -1;
        detail::check(try_commit_to(db, &first));
        for (std::size_t i = 0; i < n; ++i) ids.push_back(first + static_cast<row_id>(i));
        return ids;
    }

    ToonStoreBatch* b_ = nullptr;
    ToonStore* db_ = nullptr;  // borrowed, not owned
    std::size_t puts_ = 0;
};

/// An open database (toonstore_open / toonstore_open_with). Move-only; the
/// destructor closes it (making acknowledged writes durable) and ignores
/// errors, so call close() to see them. One database object may be used from
/// many threads at once; cursors, snapshots and batches belong to one
/// thread at a time.
class database {
public:
    /// An empty handle: every method throws TOONSTORE_ERR_CLOSED.
    database() noexcept = default;
    /// Opens (creating when missing) the database in directory `path`.
    explicit database(std::string_view path) {
        const std::string p = detail::c_path(path);
        db_ = toonstore_open(p.c_str());
        if (!db_) detail::throw_last(last_code());
    }
    database(std::string_view path, const open_options& options) {
        detail::check(open_into(path, options, db_));
    }
    /// Takes ownership of a C handle.
    explicit database(ToonStore* db) noexcept : db_(db) {}
    database(const database&) = delete;
    database& operator=(const database&) = delete;
    database(database&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
    database& operator=(database&& o) noexcept {
        if (this != &o) {
            toonstore_close(db_);
            db_ = std::exchange(o.db_, nullptr);
        }
        return *this;
    }
    ~database() { toonstore_close(db_); }

    static database open(std::string_view path, const open_options& options = open_options()) {
        return database(path, options);
    }
    /// Opens without exceptions; on success `out` holds the database (any
    /// database it held before is closed).
    static int try_open(std::string_view path, const open_options& options, database& out) noexcept {
        ToonStore* db = nullptr;
        int rc;
        try {
            rc = open_into(path, options, db);
        } catch (const error& e) {
            return e.code();
        } catch (...) {
            return TOONSTORE_ERR_NOMEM;
        }
        if (rc == TOONSTORE_OK) out = database(db);
        return rc;
    }

    // ---- writes --------------------------------------------------------

    /// Appends a row; returns its id.
    row_id put(std::string_view data) { return put(detail::data_of(data), data.size()); }
    row_id put(const std::uint8_t* data, std::size_t len) {
        row_id id = -1;
        detail::check(try_put(data, len, &id));
        return id;
    }
    row_id put(const bytes& data) { return put(data.data(), data.size()); }
#if TOONSTORE_HPP_HAS_SPAN
    row_id put(std::span<const std::uint8_t> data) { return put(data.data(), data.size()); }
#endif
    /// Appends a row with a durability for this write only.
    row_id put(std::string_view data, toonstore::durability d) {
        row_id id = -1;
        detail::check(try_put(data, &id, d));
        return id;
    }

    int try_put(std::string_view data, row_id* out_id,
                toonstore::durability d = toonstore::durability::database_default) noexcept {
        return try_put(detail::data_of(data), data.size(), out_id, d);
    }
    int try_put(const std::uint8_t* data, std::size_t len, row_id* out_id,
                toonstore::durability d = toonstore::durability::database_default) noexcept {
        if (!db_) return TOONSTORE_ERR_CLOSED;
        std::int64_t id = -1;
        int rc = toonstore_put_with(db_, detail::data_of(data, len), len, static_cast<std::uint32_t>(d), &id);
        if (rc == TOONSTORE_OK && out_id) *out_id = id;
        return rc;
    }

    /// Deletes a row. Returns false when it was absent or already deleted.
    bool remove(row_id id) {
        int rc = try_remove(id);
        if (rc == TOONSTORE_ERR_NOT_FOUND) return false;
        detail::check(rc);
        return true;
    }
    int try_remove(row_id id) noexcept {
        if (!db_) return TOONSTORE_ERR_CLOSED;
        return toonstore_delete(db_, id);
    }

    /// A batch that commits into this database; see batch.
    batch new_batch() { return batch(*this); }
    /// Commits `b` into this database; returns the ids of its puts.
    std::vector<row_id> commit(batch& b) { return b.commit(*this); }

    // ---- reads ---------------------------------------------------------

    /// The row as an owned std::string, or std::nullopt when the id was never
    /// assigned or the row was deleted.
    std::optional<std::string> get(row_id id) const {
        detail::owned_buffer buf;
        std::size_t len = 0;
        if (!fetch(id, buf, len)) return std::nullopt;
        return len ? std::string(reinterpret_cast<const char*>(buf.get()), len) : std::string();
    }
    /// The row as owned binary bytes, or std::nullopt.
    std::optional<bytes> get_bytes(row_id id) const {
        detail::owned_buffer buf;
        std::size_t len = 0;
        if (!fetch(id, buf, len)) return std::nullopt;
        return len ? bytes(buf.get(), buf.get() + len) : bytes();
    }
    /// Reads the row into `out`, reusing its capacity (one library call when
    /// it is large enough). Returns false when the row is absent.
    bool get_into(row_id id, bytes& out) const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        if (out.capacity() == 0) out.reserve(256);
        for (;;) {
            out.resize(out.capacity());
            std::size_t len = 0;
            int rc = toonstore_get_into(db_, id, out.data(), out.size(), &len);
            if (rc == TOONSTORE_OK) {
                out.resize(len);
                return true;
            }
            if (rc == TOONSTORE_ERR_NOT_FOUND) {
                out.clear();
                return false;
            }
            if (rc == TOONSTORE_ERR_BUFFER_TOO_SMALL && len > out.size()) {
                out.resize(len);  // needed size; retry (the row may change in between)
                continue;
            }
            out.clear();
            detail::throw_last(rc);
        }
    }
    /// Like get() without exceptions: TOONSTORE_OK and `out` set,
    /// TOONSTORE_ERR_NOT_FOUND, or another code.
    int try_get(row_id id, std::string& out) const noexcept {
        if (!db_) return TOONSTORE_ERR_CLOSED;
        std::uint8_t* data = nullptr;
        std::size_t len = 0;
        int rc = toonstore_get(db_, id, &data, &len);
        if (rc != TOONSTORE_OK) return rc;
        detail::owned_buffer buf(data);
        try {
            out.assign(reinterpret_cast<const char*>(buf.get()), len);
        } catch (...) {
            return TOONSTORE_ERR_NOMEM;
        }
        return TOONSTORE_OK;
    }

    /// Whether the row exists.
    bool contains(row_id id) const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        return detail::check(toonstore_contains(db_, id)) == 1;
    }

    /// Walks all live rows in id order (over a snapshot taken now).
    cursor scan() const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        ToonStoreIter* it = toonstore_scan(db_);
        if (!it) detail::throw_last(last_code());
        return cursor(it);
    }
    /// Walks the live rows with id >= start.
    cursor scan(row_id start) const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        ToonStoreIter* it = toonstore_scan_from(db_, start);
        if (!it) detail::throw_last(last_code());
        return cursor(it);
    }

    /// A consistent view for zero-copy reads.
    toonstore::snapshot snapshot() const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        ToonStoreSnapshot* s = nullptr;
        detail::check(toonstore_snapshot_open(db_, &s));
        return toonstore::snapshot(s);
    }

    // ---- maintenance ---------------------------------------------------

    /// Makes every acknowledged write durable (fsync).
    void sync() { detail::check(try_sync()); }
    int try_sync() noexcept { return db_ ? toonstore_sync(db_) : TOONSTORE_ERR_CLOSED; }
    /// Rewrites segments holding mostly deleted rows.
    void compact() { detail::check(try_compact()); }
    int try_compact() noexcept { return db_ ? toonstore_compact(db_) : TOONSTORE_ERR_CLOSED; }

    toonstore::stats stats() const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        ToonStoreStats c{};
        c.version = TOONSTORE_STATS_VERSION;
        detail::check(toonstore_stats(db_, &c));
        toonstore::stats s;
        s.live_rows = c.live_rows;
        s.deleted_rows = c.deleted_rows;
        s.next_row_id = c.next_row_id;
        s.live_bytes = c.live_bytes;
        s.disk_bytes = c.disk_bytes;
        s.segment_count = c.segment_count;
        s.garbage_fraction = c.garbage_fraction;
        return s;
    }

    /// Closes now and reports the final sync's error. The handle is released
    /// either way and becomes empty. Closing an empty handle does nothing.
    void close() { detail::check(try_close()); }
    int try_close() noexcept {
        ToonStore* db = std::exchange(db_, nullptr);
        return db ? toonstore_close_checked(db) : TOONSTORE_OK;
    }

    bool is_open() const noexcept { return db_ != nullptr; }
    explicit operator bool() const noexcept { return is_open(); }
    ToonStore* native_handle() const noexcept { return db_; }
    /// Gives up ownership (the caller closes it with toonstore_close).
    ToonStore* release() noexcept { return std::exchange(db_, nullptr); }

private:
    static int last_code() noexcept {
        int c = toonstore_last_error_code();
        return c < 0 ? c : TOONSTORE_ERR_INTERNAL;
    }
    static int open_into(std::string_view path, const open_options& options, ToonStore*& out) {
        const std::string p = detail::c_path(path);
        ToonStoreOpenOptions c;
        int rc = options.to_c(c);
        if (rc < 0) return rc;
        return toonstore_open_with(p.c_str(), &c, &out);
    }
    /* false: not found; throws on other failures; buf owns the result. */
    bool fetch(row_id id, detail::owned_buffer& buf, std::size_t& len) const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        std::uint8_t* data = nullptr;
        int rc = toonstore_get(db_, id, &data, &len);
        buf.reset(data);
        if (rc == TOONSTORE_ERR_NOT_FOUND) return false;
        detail::check(rc);
        return true;
    }

    ToonStore* db_ = nullptr;
};

inline batch::batch(database& db) : batch() { db_ = db.native_handle(); }

inline std::vector<row_id> batch::commit(database& db) { return commit_to(db.native_handle()); }

inline int batch::try_commit(database& db, row_id* first_id) noexcept {
    return try_commit_to(db.native_handle(), first_id);
}

}  // namespace toonstore

#undef TOONSTORE_HPP_CPLUSPLUS
#endif /* TOONSTORE_HPP */
