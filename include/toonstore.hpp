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
 *   - failures throw toonstore::error (or its subclass for the common codes:
 *     not_found, locked, corrupt, closed, forked), which carries the C error
 *     code, toonstore::errc and a std::error_code; what() starts with the
 *     code's name. "Row not found" is not an error: it is std::nullopt / false.
 *   - try_* functions with an out-parameter are noexcept and return the C
 *     code; the value-returning try_open/try_put/try_get return result<T>.
 *   - borrowed bytes cannot be taken from a temporary snapshot (deleted
 *     rvalue overloads); a batch may outlive its database (it then throws
 *     TOONSTORE_ERR_CLOSED).
 *   - bytes go in as std::string_view, any contiguous range of
 *     char/unsigned char/signed char/std::byte, or pointer + length; owned bytes come
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
#else /* the rest of the header: skipped under C++14, so the #error above is the only diagnostic */

#include "toonstore.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
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
/// Versioned namespace: a later incompatible header revision moves to v2, so
/// objects built against different revisions do not link together silently.
inline namespace v1 {

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

/// The direction of a range scan (database::scan_range, snapshot::scan_range).
enum class order : std::uint32_t {
    ascending = 0,                         ///< lowest id first
    descending = TOONSTORE_SCAN_REVERSE    ///< highest id first ("the last N rows")
};

/// scan_range's `stop` for "no upper bound" (TOONSTORE_SCAN_END).
inline constexpr row_id scan_end = TOONSTORE_SCAN_END;

/// The C error codes as a scoped enum (values are the TOONSTORE_ERR_* codes).
/// Usable as std::error_code: `std::error_code ec = toonstore::errc::locked;`.
enum class errc : int {
    invalid_arg = TOONSTORE_ERR_INVALID_ARG,
    not_found = TOONSTORE_ERR_NOT_FOUND,
    io = TOONSTORE_ERR_IO,
    corrupt = TOONSTORE_ERR_CORRUPT,
    locked = TOONSTORE_ERR_LOCKED,
    too_large = TOONSTORE_ERR_TOO_LARGE,
    read_only = TOONSTORE_ERR_READ_ONLY,
    version = TOONSTORE_ERR_VERSION,
    nomem = TOONSTORE_ERR_NOMEM,
    internal = TOONSTORE_ERR_INTERNAL,
    closed = TOONSTORE_ERR_CLOSED,
    buffer_too_small = TOONSTORE_ERR_BUFFER_TOO_SMALL,
    poisoned = TOONSTORE_ERR_POISONED,
    forked = TOONSTORE_ERR_FORKED
};

namespace detail {
class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "toonstore"; }
    /// "TOONSTORE_ERR_LOCKED: <the library's text for it>"
    std::string message(int code) const override {
        std::string m = toonstore_error_name(code);
        m += ": ";
        m += toonstore_strerror(code);
        return m;
    }
};
}  // namespace detail

/// The std::error_category of ToonStore codes (name "toonstore").
inline const std::error_category& category() noexcept {
    static const detail::category_impl c;
    return c;
}
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

/// The exception thrown by every throwing function of this header. The
/// common codes throw a subclass (not_found, locked, corrupt, closed,
/// forked), so `catch (const toonstore::locked&)` works; catching
/// toonstore::error catches them all. what() starts with the code's name
/// ("TOONSTORE_ERR_LOCKED: ...").
class error : public std::runtime_error {
public:
    error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    /// The TOONSTORE_ERR_* code (negative).
    [[nodiscard]] int code() const noexcept { return code_; }
    /// The same code as a scoped enum.
    [[nodiscard]] toonstore::errc errc() const noexcept { return static_cast<toonstore::errc>(code_); }
    /// The same code as a std::error_code of toonstore::category().
    [[nodiscard]] std::error_code error_code() const noexcept { return {code_, category()}; }
    /// "TOONSTORE_ERR_LOCKED", ... (toonstore_error_name).
    [[nodiscard]] const char* name() const noexcept { return toonstore_error_name(code_); }

private:
    int code_;
};
/// TOONSTORE_ERR_NOT_FOUND (where absence is an error, e.g. a batch delete).
class not_found : public error { public: using error::error; };
/// TOONSTORE_ERR_LOCKED: another process (or handle) has it open for writing.
class locked : public error { public: using error::error; };
/// TOONSTORE_ERR_CORRUPT: a record failed its checksum.
class corrupt : public error { public: using error::error; };
/// TOONSTORE_ERR_CLOSED: the handle is closed, empty or moved-from.
class closed : public error { public: using error::error; };
/// TOONSTORE_ERR_FORKED: the handle was opened in the parent of this fork() child.
class forked : public error { public: using error::error; };

/// A value or a failure, returned instead of thrown (the value-returning
/// counterpart of the out-parameter try_* functions; C++17's stand-in for
/// std::expected). code() is TOONSTORE_OK with a value, else the
/// TOONSTORE_ERR_* code, and message() says what failed. value() on a
/// failure throws the exception the throwing API would have thrown.
template <class T>
class [[nodiscard]] result {
public:
    result(T value) noexcept(std::is_nothrow_move_constructible_v<T>)  // NOLINT: implicit on purpose
        : value_(std::move(value)) {}
    static result failure(int code, std::string message) {
        result r;
        r.code_ = code;
        r.message_ = std::move(message);
        return r;
    }

    [[nodiscard]] bool has_value() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }
    [[nodiscard]] int code() const noexcept { return code_; }
    [[nodiscard]] std::error_code error() const noexcept {
        return code_ == 0 ? std::error_code() : std::error_code(code_, category());
    }
    [[nodiscard]] const std::string& message() const noexcept { return message_; }

    T& value() & { ensure(); return *value_; }
    const T& value() const& { ensure(); return *value_; }
    T&& value() && { ensure(); return std::move(*value_); }
    T& operator*() & noexcept { return *value_; }
    const T& operator*() const& noexcept { return *value_; }
    T* operator->() noexcept { return &*value_; }
    const T* operator->() const noexcept { return &*value_; }
    template <class U>
    [[nodiscard]] T value_or(U&& fallback) const& {
        return value_ ? *value_ : static_cast<T>(std::forward<U>(fallback));
    }

private:
    result() = default;
    inline void ensure() const;
    std::optional<T> value_;
    int code_ = 0;
    std::string message_;
};

/// Static text for a code, never null (toonstore_strerror). Not called
/// `strerror`, so that `using namespace toonstore;` leaves ::strerror unambiguous.
inline const char* error_message(int code) noexcept { return toonstore_strerror(code); }

/// The code's name, e.g. "TOONSTORE_ERR_LOCKED" (toonstore_error_name); never null.
inline const char* error_name(int code) noexcept { return toonstore_error_name(code); }

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
/* Throws the exception class for `code` with what() = "NAME: message". */
[[noreturn]] inline void throw_exact(int code, const std::string& m) {
    switch (code) {
        case TOONSTORE_ERR_NOT_FOUND: throw not_found(code, m);
        case TOONSTORE_ERR_LOCKED: throw locked(code, m);
        case TOONSTORE_ERR_CORRUPT: throw corrupt(code, m);
        case TOONSTORE_ERR_CLOSED: throw closed(code, m);
        case TOONSTORE_ERR_FORKED: throw forked(code, m);
        default: throw error(code, m);
    }
}
[[noreturn]] inline void throw_error(int code, std::string_view message) {
    std::string m = toonstore_error_name(code);
    m += ": ";
    m.append(message.data(), message.size());
    throw_exact(code, m);
}

[[noreturn]] inline void throw_last(int code) {
    const std::string_view name = toonstore_strerror(code);
    const char* detail = toonstore_last_error();
    const std::string_view d = detail ? std::string_view(detail) : std::string_view();
    // what(): the code's name, then the library's detail; the detail often
    // starts with the name already, which is then not repeated.
    if (d.empty()) throw_error(code, name);
    if (d.substr(0, name.size()) == name) throw_error(code, d);
    std::string message(name);
    message += ": ";
    message.append(d.data(), d.size());
    throw_error(code, message);
}

/* The result<T> failure for a code returned by a C call made just before
 * on this thread (its message is the one throw_last would use). */
template <class T>
result<T> fail_last(int code) {
    try {
        throw_last(code);
    } catch (const error& e) {
        return result<T>::failure(code, e.what());
    }
}

/* For failures found by the wrapper itself (empty handle, bad argument). */
inline std::string own_message(int code, const char* what) {
    std::string message = toonstore_error_name(code);
    message += ": ";
    message += toonstore_strerror(code);
    message += ": ";
    message += what;
    return message;
}
[[noreturn]] inline void throw_own(int code, const char* what) { throw_exact(code, own_message(code, what)); }

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

/* Element types accepted as bytes. */
template <class T>
inline constexpr bool is_byte_v =
    std::is_same_v<T, char> || std::is_same_v<T, unsigned char> || std::is_same_v<T, signed char> ||
    std::is_same_v<T, std::byte>;

template <class R, class = void>
struct is_byte_range : std::false_type {};
/* Any contiguous range of bytes with std::data/std::size: std::string,
 * std::vector<char/unsigned char/std::uint8_t/std::byte>, std::array,
 * std::span<const std::byte> (C++20). Arrays are excluded so that a string
 * literal goes to the std::string_view overload (without its NUL). */
template <class R>
struct is_byte_range<R, std::void_t<decltype(std::data(std::declval<const R&>())),
                                    decltype(std::size(std::declval<const R&>()))>>
    : std::bool_constant<!std::is_array_v<R> &&
                         std::is_pointer_v<decltype(std::data(std::declval<const R&>()))> &&
                         is_byte_v<std::remove_cv_t<std::remove_pointer_t<
                             decltype(std::data(std::declval<const R&>()))>>>> {};
template <class R>
inline constexpr bool is_byte_range_v = is_byte_range<std::remove_cv_t<std::remove_reference_t<R>>>::value;

template <class R>
inline const std::uint8_t* range_data(const R& r) noexcept {
    return data_of(reinterpret_cast<const std::uint8_t*>(std::data(r)), std::size(r));
}

/* A resizable contiguous container of bytes (std::string, std::vector<char>, ...). */
template <class C, class = void>
struct is_byte_buffer : std::false_type {};
template <class C>
struct is_byte_buffer<C, std::void_t<decltype(std::declval<C&>().resize(std::size_t{})),
                                     decltype(std::data(std::declval<C&>())),
                                     decltype(std::size(std::declval<C&>()))>>
    : std::bool_constant<std::is_pointer_v<decltype(std::data(std::declval<C&>()))> &&
                         is_byte_v<std::remove_pointer_t<decltype(std::data(std::declval<C&>()))>>> {};

/* Shared between a database and the batches made from it: `db` is the C
 * handle while the database object owns it, and null once that object is
 * closed, destroyed, moved-from or released. A batch checks it before every
 * use, so it never hands a freed handle to the library. */
struct handle_state {
    ToonStore* db = nullptr;
};

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
    /// An owned copy as text.
    std::string to_string() const { return std::string(as_string_view()); }
    /// An owned copy as binary bytes.
    bytes to_bytes() const { return size_ ? bytes(data_, data_ + size_) : bytes(); }

private:
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

#if TOONSTORE_HPP_HAS_SPAN
/// The bytes as a std::span (C++20). Still borrowed. A free function, not a
/// member, so that no class is defined differently in C++17 and C++20
/// translation units of one program.
[[nodiscard]] inline std::span<const std::uint8_t> as_span(const borrowed_bytes& b) noexcept {
    return b.size() ? std::span<const std::uint8_t>(b.data(), b.size()) : std::span<const std::uint8_t>();
}
#endif

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
        /// Postfix: the row it pointed at is copied first (its bytes stay
        /// borrowed), so `*it++` works as for any input iterator.
        class postfix_proxy {
        public:
            const row& operator*() const noexcept { return r_; }
            const row* operator->() const noexcept { return &r_; }

        private:
            friend class iterator;
            explicit postfix_proxy(const row& r) noexcept : r_(r) {}
            row r_;
        };
        postfix_proxy operator++(int) {
            postfix_proxy p(cur_ ? cur_->current_ : row{});
            ++*this;
            return p;
        }
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
    [[nodiscard]] std::optional<row> next() {
        if (!advance()) return std::nullopt;
        return current_;
    }

    /// Like next() without exceptions: 1 and `out` filled, 0 at the end, or a negative code.
    [[nodiscard]] int try_next(row& out) noexcept {
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
    [[nodiscard]] std::optional<borrowed_bytes> get(row_id id) const& {
        if (!s_) detail::throw_closed("snapshot is empty (moved-from or released)");
        borrowed_bytes out;
        int rc = try_get(id, out);
        if (rc == TOONSTORE_ERR_NOT_FOUND) return std::nullopt;
        detail::check(rc);
        return out;
    }

    /// Not on a temporary snapshot: its bytes would die with it at the end of
    /// the full expression (`db.snapshot().get(id)` does not compile). Keep
    /// the snapshot in a variable, or use database::get for an owned copy.
    std::optional<borrowed_bytes> get(row_id id) const&& = delete;

    /// Like get() without exceptions; returns TOONSTORE_OK, TOONSTORE_ERR_NOT_FOUND or another code.
    [[nodiscard]] int try_get(row_id id, borrowed_bytes& out) const& noexcept {
        if (!s_) return TOONSTORE_ERR_CLOSED;
        const std::uint8_t* data = nullptr;
        std::size_t len = 0;
        int rc = toonstore_snapshot_get(s_, id, &data, &len);
        if (rc == TOONSTORE_OK) out = borrowed_bytes(data, len);
        return rc;
    }
    int try_get(row_id id, borrowed_bytes& out) const&& noexcept = delete;

    /// Whether the row is in the snapshot.
    [[nodiscard]] bool contains(row_id id) const { return get(id).has_value(); }

    /// Walks the snapshot's rows with id >= start. The rows' bytes stay valid
    /// until this snapshot is released (longer than a database cursor's).
    [[nodiscard]] cursor scan(row_id start = 0) const& {
        if (!s_) detail::throw_closed("snapshot is empty (moved-from or released)");
        ToonStoreIter* it = toonstore_snapshot_scan(s_, start);
        if (!it) detail::throw_last(last_code());
        return cursor(it);
    }
    /// Not on a temporary snapshot: the cursor's rows live only as long as it.
    cursor scan(row_id start = 0) const&& = delete;

    /// Walks the snapshot's rows with start <= id < stop (stop = scan_end:
    /// no bound), lowest id first or, with order::descending, highest first
    /// (toonstore_snapshot_scan_range). Throws toonstore::error
    /// (errc::invalid_arg) for start < 0 or stop < start. Rows stay valid
    /// until this snapshot is released.
    [[nodiscard]] cursor scan_range(row_id start, row_id stop = scan_end,
                                    order dir = order::ascending) const& {
        if (!s_) detail::throw_closed("snapshot is empty (moved-from or released)");
        ToonStoreIter* it = nullptr;
        detail::check(toonstore_snapshot_scan_range(s_, start, stop, static_cast<std::uint32_t>(dir), &it));
        return cursor(it);
    }
    cursor scan_range(row_id start, row_id stop = scan_end, order dir = order::ascending) const&& = delete;

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
/// Lifetime: a batch made by database::new_batch() may outlive that
/// database object safely. It shares a small state block with the database,
/// so once the database is closed, destroyed, moved-from or released,
/// commit() throws TOONSTORE_ERR_CLOSED ("the database of this batch is
/// closed") instead of touching a freed handle. (A database moved into
/// another object hands the block over: the batch follows it.)
///
/// A default-constructed batch is empty, like every default-constructed
/// handle: no allocation, valid() is false, and using it throws
/// TOONSTORE_ERR_CLOSED. batch::create() makes a batch not tied to a
/// database, committed with commit(database&).
class batch {
public:
    /// An empty handle (no allocation).
    batch() noexcept = default;
    /// A batch not tied to a database; commit it with commit(database&).
    [[nodiscard]] static batch create() {
        batch b;
        b.b_ = toonstore_batch_new();
        if (!b.b_) detail::throw_own(TOONSTORE_ERR_NOMEM, "toonstore_batch_new failed");
        return b;
    }
    inline explicit batch(database& db);
    batch(const batch&) = delete;
    batch& operator=(const batch&) = delete;
    batch(batch&& o) noexcept
        : b_(std::exchange(o.b_, nullptr)), db_(std::move(o.db_)), puts_(std::exchange(o.puts_, 0)) {}
    batch& operator=(batch&& o) noexcept {
        if (this != &o) {
            discard_handle();
            b_ = std::exchange(o.b_, nullptr);
            db_ = std::move(o.db_);
            puts_ = std::exchange(o.puts_, 0);
        }
        return *this;
    }
    /// Discards whatever was not committed.
    ~batch() { discard_handle(); }

    /// Adds a put; returns *this for chaining. Takes text (string literal,
    /// std::string_view) or any contiguous range of bytes (see database::put).
    batch& put(std::string_view data) { return put(detail::data_of(data), data.size()); }
    template <class R, std::enable_if_t<detail::is_byte_range_v<R>, int> = 0>
    batch& put(const R& data) {
        return put(detail::range_data(data), std::size(data));
    }
    batch& put(const std::uint8_t* data, std::size_t len) {
        if (!b_) detail::throw_closed("batch is empty (default-constructed or moved-from)");
        detail::check(try_put(data, len));
        return *this;
    }
    /// Adds a delete of `id` (the commit fails with TOONSTORE_ERR_NOT_FOUND if it is absent then).
    batch& remove(row_id id) {
        if (!b_) detail::throw_closed("batch is empty (default-constructed or moved-from)");
        detail::check(try_remove(id));
        return *this;
    }

    [[nodiscard]] int try_put(std::string_view data) noexcept {
        return try_put(detail::data_of(data), data.size());
    }
    template <class R, std::enable_if_t<detail::is_byte_range_v<R>, int> = 0>
    [[nodiscard]] int try_put(const R& data) noexcept {
        return try_put(detail::range_data(data), std::size(data));
    }
    [[nodiscard]] int try_put(const std::uint8_t* data, std::size_t len) noexcept {
        if (!b_) return TOONSTORE_ERR_CLOSED;
        int rc = toonstore_batch_put(b_, detail::data_of(data, len), len);
        if (rc == TOONSTORE_OK) ++puts_;
        return rc;
    }
    [[nodiscard]] int try_remove(row_id id) noexcept {
        if (!b_) return TOONSTORE_ERR_CLOSED;
        return toonstore_batch_delete(b_, id);
    }

    /// Number of operations (puts + deletes) waiting.
    [[nodiscard]] std::size_t size() const noexcept { return b_ ? toonstore_batch_count(b_) : 0; }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }
    /// Number of puts waiting.
    [[nodiscard]] std::size_t put_count() const noexcept { return puts_; }
    /// Drops the waiting operations; the batch can be reused.
    void clear() noexcept {
        if (b_) toonstore_batch_clear(b_);
        puts_ = 0;
    }

    /// Applies the batch to the database it was made from, atomically.
    /// Returns the ids given to its puts, in order. On success the batch is
    /// empty and reusable; on failure it throws and the batch is unchanged.
    /// Throws TOONSTORE_ERR_CLOSED when that database is gone.
    std::vector<row_id> commit() {
        if (!b_) detail::throw_closed("batch is empty (default-constructed or moved-from)");
        if (!db_) detail::throw_closed("batch has no database (use commit(database&))");
        if (!db_->db) detail::throw_closed("the database of this batch is closed (or moved-from)");
        return commit_to(db_->db);
    }
    /// Applies the batch to `db`, atomically; see commit().
    inline std::vector<row_id> commit(database& db);

    /// Like commit() without exceptions. `first_id` (may be null) gets the
    /// first put's id, or -1 when the batch had no puts.
    [[nodiscard]] int try_commit(row_id* first_id = nullptr) noexcept {
        return try_commit_to(db_ ? db_->db : nullptr, first_id);
    }
    [[nodiscard]] inline int try_commit(database& db, row_id* first_id = nullptr) noexcept;

    [[nodiscard]] bool valid() const noexcept { return b_ != nullptr; }
    explicit operator bool() const noexcept { return valid(); }
    [[nodiscard]] ToonStoreBatch* native_handle() const noexcept { return b_; }

private:
    void discard_handle() noexcept {
        toonstore_batch_free(std::exchange(b_, nullptr));
        db_.reset();
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
        if (!b_) detail::throw_closed("batch is empty (default-constructed or moved-from)");
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
    std::shared_ptr<detail::handle_state> db_;  // shared with the database; null: not tied
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
    /// Opens the database in `path`. The library takes UTF-8 paths: a path
    /// that is not valid UTF-8 is refused with TOONSTORE_ERR_INVALID_ARG.
    /// (A template only so that a string literal still picks the
    /// std::string_view overload instead of being ambiguous.)
    template <class Path, std::enable_if_t<std::is_same_v<Path, std::filesystem::path>, int> = 0>
    explicit database(const Path& path, const open_options& options = open_options())
        : database(std::string_view(path.string()), options) {}
    /// Takes ownership of a C handle.
    explicit database(ToonStore* db) noexcept : db_(db) {}
    database(const database&) = delete;
    database& operator=(const database&) = delete;
    database(database&& o) noexcept : db_(std::exchange(o.db_, nullptr)), state_(std::move(o.state_)) {}
    database& operator=(database&& o) noexcept {
        if (this != &o) {
            toonstore_close(detach());
            db_ = std::exchange(o.db_, nullptr);
            state_ = std::move(o.state_);
        }
        return *this;
    }
    ~database() { toonstore_close(detach()); }

    [[nodiscard]] static database open(std::string_view path, const open_options& options = open_options()) {
        return database(path, options);
    }
    template <class Path, std::enable_if_t<std::is_same_v<Path, std::filesystem::path>, int> = 0>
    [[nodiscard]] static database open(const Path& path, const open_options& options = open_options()) {
        return database(path.string(), options);
    }
    /// Opens without exceptions; on success `out` holds the database (any
    /// database it held before is closed).
    [[nodiscard]] static int try_open(std::string_view path, const open_options& options, database& out) noexcept {
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

    /// Opens without exceptions, returning the database or the failure.
    static result<database> try_open(std::string_view path, const open_options& options = open_options()) {
        ToonStore* db = nullptr;
        const int rc = open_into(path, options, db);
        if (rc < 0) return detail::fail_last<database>(rc);
        return database(db);
    }

    // ---- writes --------------------------------------------------------

    /// Appends a row without exceptions, returning its id or the failure.
    result<row_id> try_put(std::string_view data,
                           toonstore::durability d = toonstore::durability::database_default) {
        return put_result(detail::data_of(data), data.size(), d);
    }
    template <class R, std::enable_if_t<detail::is_byte_range_v<R>, int> = 0>
    result<row_id> try_put(const R& data, toonstore::durability d = toonstore::durability::database_default) {
        return put_result(detail::range_data(data), std::size(data), d);
    }

    /// Appends a row; returns its id. Takes text (a string literal,
    /// std::string_view, std::string), any contiguous range of bytes
    /// (std::vector<char/unsigned char/std::uint8_t/std::byte>, std::array,
    /// std::span<const std::byte> in C++20, ...), or pointer + length.
    row_id put(std::string_view data) { return put(detail::data_of(data), data.size()); }
    template <class R, std::enable_if_t<detail::is_byte_range_v<R>, int> = 0>
    row_id put(const R& data) {
        return put(detail::range_data(data), std::size(data));
    }
    row_id put(const std::uint8_t* data, std::size_t len) {
        return put(data, len, toonstore::durability::database_default);
    }
    /// Appends a row with a durability for this write only.
    row_id put(std::string_view data, toonstore::durability d) {
        return put(detail::data_of(data), data.size(), d);
    }
    template <class R, std::enable_if_t<detail::is_byte_range_v<R>, int> = 0>
    row_id put(const R& data, toonstore::durability d) {
        return put(detail::range_data(data), std::size(data), d);
    }
    row_id put(const std::uint8_t* data, std::size_t len, toonstore::durability d) {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        row_id id = -1;
        detail::check(try_put(data, len, &id, d));
        return id;
    }

    [[nodiscard]] int try_put(std::string_view data, row_id* out_id,
                              toonstore::durability d = toonstore::durability::database_default) noexcept {
        return try_put(detail::data_of(data), data.size(), out_id, d);
    }
    template <class R, std::enable_if_t<detail::is_byte_range_v<R>, int> = 0>
    [[nodiscard]] int try_put(const R& data, row_id* out_id,
                              toonstore::durability d = toonstore::durability::database_default) noexcept {
        return try_put(detail::range_data(data), std::size(data), out_id, d);
    }
    [[nodiscard]] int try_put(const std::uint8_t* data, std::size_t len, row_id* out_id,
                              toonstore::durability d = toonstore::durability::database_default) noexcept {
        if (!db_) return TOONSTORE_ERR_CLOSED;
        std::int64_t id = -1;
        int rc = toonstore_put_with(db_, detail::data_of(data, len), len, static_cast<std::uint32_t>(d), &id);
        if (rc == TOONSTORE_OK && out_id) *out_id = id;
        return rc;
    }

    /// Deletes a row. Returns false when it was absent or already deleted.
    bool remove(row_id id) {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        int rc = try_remove(id);
        if (rc == TOONSTORE_ERR_NOT_FOUND) return false;
        detail::check(rc);
        return true;
    }
    [[nodiscard]] int try_remove(row_id id) noexcept {
        if (!db_) return TOONSTORE_ERR_CLOSED;
        return toonstore_delete(db_, id);
    }

    /// A batch that commits into this database; see batch.
    /// It may outlive this object safely (see batch).
    [[nodiscard]] batch new_batch() { return batch(*this); }
    /// Commits `b` into this database; returns the ids of its puts.
    std::vector<row_id> commit(batch& b) { return b.commit(*this); }

    // ---- reads ---------------------------------------------------------

    /// The row as an owned std::string, or std::nullopt when the id was never
    /// assigned or the row was deleted.
    [[nodiscard]] std::optional<std::string> get(row_id id) const {
        detail::owned_buffer buf;
        std::size_t len = 0;
        if (!fetch(id, buf, len)) return std::nullopt;
        return len ? std::string(reinterpret_cast<const char*>(buf.get()), len) : std::string();
    }
    /// The row as owned binary bytes, or std::nullopt.
    [[nodiscard]] std::optional<bytes> get_bytes(row_id id) const {
        detail::owned_buffer buf;
        std::size_t len = 0;
        if (!fetch(id, buf, len)) return std::nullopt;
        return len ? bytes(buf.get(), buf.get() + len) : bytes();
    }
    /// Reads the row into `out` (std::vector<std::uint8_t>, std::string,
    /// std::vector<char>, ... any resizable contiguous container of bytes),
    /// reusing its memory. Returns false when the row is absent (`out` is then
    /// emptied). It first offers the library the bytes `out` already holds
    /// (its size, not its capacity), and grows `out` only to the row's
    /// length when that is too small: nothing beyond the row is ever
    /// zero-filled, so a loop that reuses one buffer costs one library call
    /// per row once the buffer has reached the largest row's size... and a
    /// second call when a row is longer than the previous one.
    template <class Buffer, std::enable_if_t<detail::is_byte_buffer<Buffer>::value, int> = 0>
    bool get_into(row_id id, Buffer& out) const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        for (;;) {
            std::uint8_t none = 0;
            const std::size_t cap = std::size(out);
            std::uint8_t* buf = cap ? reinterpret_cast<std::uint8_t*>(std::data(out)) : &none;
            std::size_t len = 0;
            int rc = toonstore_get_into(db_, id, buf, cap, &len);
            if (rc == TOONSTORE_OK) {
                out.resize(len);  // shrinks (or keeps) the size: no fill
                return true;
            }
            if (rc == TOONSTORE_ERR_NOT_FOUND) {
                out.resize(0);
                return false;
            }
            if (rc == TOONSTORE_ERR_BUFFER_TOO_SMALL && len > cap) {
                out.resize(len);  // exactly the row's size; retry (the row may change in between)
                continue;
            }
            out.resize(0);
            detail::throw_last(rc);
        }
    }
    /// Like get() without exceptions: TOONSTORE_OK and `out` set,
    /// TOONSTORE_ERR_NOT_FOUND, or another code.
    [[nodiscard]] int try_get(row_id id, std::string& out) const noexcept {
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

    /// The row without exceptions: a value (std::nullopt when absent) or the failure.
    result<std::optional<std::string>> try_get(row_id id) const {
        std::string out;
        const int rc = try_get(id, out);
        if (rc == TOONSTORE_OK) return std::optional<std::string>(std::move(out));
        if (rc == TOONSTORE_ERR_NOT_FOUND) return std::optional<std::string>();
        if (rc == TOONSTORE_ERR_CLOSED && !db_)
            return result<std::optional<std::string>>::failure(
                rc, detail::own_message(rc, "database is closed or moved-from"));
        return detail::fail_last<std::optional<std::string>>(rc);
    }

    /// Whether the row exists.
    [[nodiscard]] bool contains(row_id id) const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        return detail::check(toonstore_contains(db_, id)) == 1;
    }

    /// Walks all live rows in id order (over a snapshot taken now).
    [[nodiscard]] cursor scan() const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        ToonStoreIter* it = toonstore_scan(db_);
        if (!it) detail::throw_last(last_code());
        return cursor(it);
    }
    /// Walks the live rows with id >= start.
    [[nodiscard]] cursor scan(row_id start) const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        ToonStoreIter* it = toonstore_scan_from(db_, start);
        if (!it) detail::throw_last(last_code());
        return cursor(it);
    }

    /// Walks the live rows with start <= id < stop (stop = scan_end: no
    /// bound) over a snapshot taken now, lowest id first or, with
    /// order::descending, highest first (toonstore_scan_range). The last N
    /// rows: `db.scan_range(0, toonstore::scan_end, toonstore::order::descending)`
    /// and stop after N. Throws toonstore::error (errc::invalid_arg) for
    /// start < 0 or stop < start.
    [[nodiscard]] cursor scan_range(row_id start, row_id stop = scan_end,
                                    order dir = order::ascending) const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        ToonStoreIter* it = nullptr;
        detail::check(toonstore_scan_range(db_, start, stop, static_cast<std::uint32_t>(dir), &it));
        return cursor(it);
    }

    /// A consistent view for zero-copy reads.
    [[nodiscard]] toonstore::snapshot snapshot() const {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        ToonStoreSnapshot* s = nullptr;
        detail::check(toonstore_snapshot_open(db_, &s));
        return toonstore::snapshot(s);
    }

    // ---- maintenance ---------------------------------------------------

    /// Makes every acknowledged write durable (fsync).
    void sync() {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        detail::check(try_sync());
    }
    [[nodiscard]] int try_sync() noexcept { return db_ ? toonstore_sync(db_) : TOONSTORE_ERR_CLOSED; }
    /// Rewrites segments holding mostly deleted rows.
    void compact() {
        if (!db_) detail::throw_closed("database is closed or moved-from");
        detail::check(try_compact());
    }
    [[nodiscard]] int try_compact() noexcept { return db_ ? toonstore_compact(db_) : TOONSTORE_ERR_CLOSED; }

    [[nodiscard]] toonstore::stats stats() const {
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
    [[nodiscard]] int try_close() noexcept {
        ToonStore* db = detach();
        return db ? toonstore_close_checked(db) : TOONSTORE_OK;
    }

    [[nodiscard]] bool is_open() const noexcept { return db_ != nullptr; }
    explicit operator bool() const noexcept { return is_open(); }
    [[nodiscard]] ToonStore* native_handle() const noexcept { return db_; }
    /// Gives up ownership (the caller closes it with toonstore_close).
    /// Batches made from this object see the database as closed afterwards.
    [[nodiscard]] ToonStore* release() noexcept { return detach(); }

private:
    friend class batch;
    /* Gives up the C handle: tells batches made from this object that it is
     * gone, and returns it (the caller closes it). */
    ToonStore* detach() noexcept {
        if (state_) {
            state_->db = nullptr;
            state_.reset();
        }
        return std::exchange(db_, nullptr);
    }
    /* The block shared with batches, made on first use. */
    const std::shared_ptr<detail::handle_state>& shared_state() {
        if (!state_) {
            state_ = std::make_shared<detail::handle_state>();
            state_->db = db_;
        }
        return state_;
    }

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
    result<row_id> put_result(const std::uint8_t* data, std::size_t len, toonstore::durability d) {
        if (!db_)
            return result<row_id>::failure(
                TOONSTORE_ERR_CLOSED, detail::own_message(TOONSTORE_ERR_CLOSED, "database is closed or moved-from"));
        row_id id = -1;
        const int rc = try_put(data, len, &id, d);
        if (rc < 0) return detail::fail_last<row_id>(rc);
        return id;
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
    std::shared_ptr<detail::handle_state> state_;  // null until a batch is made
};

inline batch::batch(database& db) {
    if (!db.db_) detail::throw_closed("database is closed or moved-from");
    db_ = db.shared_state();
    b_ = toonstore_batch_new();
    if (!b_) {
        db_.reset();
        detail::throw_own(TOONSTORE_ERR_NOMEM, "toonstore_batch_new failed");
    }
}

inline std::vector<row_id> batch::commit(database& db) { return commit_to(db.native_handle()); }

inline int batch::try_commit(database& db, row_id* first_id) noexcept {
    return try_commit_to(db.native_handle(), first_id);
}

template <class T>
inline void result<T>::ensure() const {
    if (!value_) detail::throw_exact(code_, message_);
}

/// What toonstore::check found (toonstore_check).
struct check_report {
    bool healthy = false;         ///< no problem found
    bool has_checkpoint = false;  ///< an index checkpoint exists (and was verified)
    std::uint64_t segments = 0;   ///< segment files walked
    std::uint64_t records = 0;    ///< records whose checksum was verified
    std::uint64_t live_rows = 0;  ///< live rows read back through the index
    std::string first_problem;    ///< file and offset of the first problem; empty when healthy
};

/// Verifies the database in `path` (closed, or open read-only only): walks
/// every segment and checks every record. A corrupt database is a result
/// (healthy == false, first_problem set), not an exception; it throws when
/// the check cannot run (TOONSTORE_ERR_LOCKED when open for writing,
/// TOONSTORE_ERR_IO when there is no database, ...).
[[nodiscard]] inline check_report check(std::string_view path) {
    const std::string p = detail::c_path(path);
    ToonStoreCheckReport c{};
    c.version = TOONSTORE_CHECK_REPORT_VERSION;
    const int rc = toonstore_check(p.c_str(), &c);
    if (rc < 0 && rc != TOONSTORE_ERR_CORRUPT) detail::throw_last(rc);
    check_report r;
    r.healthy = rc == TOONSTORE_OK;
    r.has_checkpoint = c.has_checkpoint != 0;
    r.segments = c.segments;
    r.records = c.records;
    r.live_rows = c.live_rows;
    c.first_problem[sizeof c.first_problem - 1] = '\0';
    r.first_problem = c.first_problem;
    return r;
}
template <class Path, std::enable_if_t<std::is_same_v<Path, std::filesystem::path>, int> = 0>
[[nodiscard]] check_report check(const Path& path) {
    return check(std::string_view(path.string()));
}

}  // inline namespace v1
}  // namespace toonstore

/// toonstore::errc converts to std::error_code.
namespace std {
template <>
struct is_error_code_enum<toonstore::errc> : true_type {};
}  // namespace std

#endif /* C++17 or later */
#undef TOONSTORE_HPP_CPLUSPLUS
#endif /* TOONSTORE_HPP */
