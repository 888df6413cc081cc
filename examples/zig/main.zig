//! ToonStore from Zig through the C header: open, put TOON lines, get,
//! delete, scan, batch, close, and error handling.
//!
//! Build and run against an installed ToonStore (pkg-config finds it):
//!   PKG_CONFIG_PATH=<prefix>/lib/pkgconfig zig build run
//!   PKG_CONFIG_PATH=<prefix>/lib/pkgconfig zig build run -Dstatic=true
const std = @import("std");
const c = @cImport(@cInclude("toonstore.h"));

const ToonStoreError = error{ToonStore};

/// Turns a negative ToonStore code into a Zig error, printing the code's
/// name (toonstore_strerror, static text) and the thread's last error
/// message (toonstore_last_error, owned by the library).
fn check(what: []const u8, rc: c_int) ToonStoreError!void {
    if (rc >= 0) return;
    const detail = c.toonstore_last_error();
    std.debug.print("{s} failed: {s} ({d}): {s}\n", .{
        what,
        std.mem.span(c.toonstore_strerror(rc)),
        rc,
        if (detail != null) std.mem.span(detail) else "(no detail)",
    });
    return error.ToonStore;
}

fn run(out: *std.Io.Writer, path: [:0]const u8) !void {
    // Open (creates the directory and database when missing); close on every exit path.
    const db = c.toonstore_open(path.ptr) orelse {
        try check("toonstore_open", c.toonstore_last_error_code());
        return error.ToonStore;
    };
    defer c.toonstore_close(db);
    try out.print("opened {s} with libtoonstore {s} (header {s})\n", .{
        path, std.mem.span(c.toonstore_version()), c.TOONSTORE_VERSION_STRING,
    });

    // Put: the new row id, or a negative code.
    const lines = [_][]const u8{
        "users[1]{id,name}: 1,Alice",
        "users[1]{id,name}: 2,Bob",
        "users[1]{id,name}: 3,Carol",
    };
    var ids: [lines.len]i64 = undefined;
    for (lines, 0..) |line, i| {
        const id = c.toonstore_put(db, line.ptr, line.len);
        if (id < 0) try check("toonstore_put", @intCast(id));
        ids[i] = id;
        try out.print("put    row {d}: {s}\n", .{ id, line });
    }

    // Get: the buffer belongs to us until toonstore_free_buffer.
    var data: [*c]u8 = null;
    var len: usize = 0;
    try check("toonstore_get", c.toonstore_get(db, ids[1], &data, &len));
    defer c.toonstore_free_buffer(data);
    const got = data[0..len];
    try out.print("get    row {d}: {s}\n", .{ ids[1], got });
    if (!std.mem.eql(u8, got, lines[1])) return error.WrongData;

    // Delete, then the error a get of the deleted row gives.
    try check("toonstore_delete", c.toonstore_delete(db, ids[0]));
    try out.print("delete row {d}\n", .{ids[0]});
    var gone: [*c]u8 = null;
    const rc = c.toonstore_get(db, ids[0], &gone, &len);
    if (rc != c.TOONSTORE_ERR_NOT_FOUND) return error.UnexpectedResult;
    const detail = c.toonstore_last_error();
    try out.print("get    row {d} -> code {d}, toonstore_strerror: \"{s}\", toonstore_last_error: \"{s}\"\n", .{
        ids[0],
        rc,
        std.mem.span(c.toonstore_strerror(rc)),
        if (detail != null) std.mem.span(detail) else "",
    });

    // Batch: all or nothing; the puts get consecutive ids starting at `first`.
    const batch = c.toonstore_batch_new() orelse return error.OutOfMemory;
    defer c.toonstore_batch_free(batch);
    const more = [_][]const u8{ "users[1]{id,name}: 4,Dan", "users[1]{id,name}: 5,Eve" };
    for (more) |line| try check("toonstore_batch_put", c.toonstore_batch_put(batch, line.ptr, line.len));
    try check("toonstore_batch_delete", c.toonstore_batch_delete(batch, ids[2]));
    var first: i64 = -1;
    try check("toonstore_batch_commit", c.toonstore_batch_commit(db, batch, &first));
    try out.print("batch  committed: rows {d} and {d} added, row {d} deleted\n", .{ first, first + 1, ids[2] });

    // Scan: rows in id order; each row's bytes are borrowed until the next call.
    const it = c.toonstore_scan(db) orelse {
        try check("toonstore_scan", c.toonstore_last_error_code());
        return error.ToonStore;
    };
    defer c.toonstore_iter_free(it);
    var rows: usize = 0;
    while (true) {
        var id: i64 = 0;
        var row: [*c]u8 = null;
        var row_len: usize = 0;
        const step = c.toonstore_iter_next(it, &id, &row, &row_len);
        try check("toonstore_iter_next", step);
        if (step == 0) break;
        try out.print("scan   row {d}: {s}\n", .{ id, row[0..row_len] });
        rows += 1;
    }
    if (rows != 3) return error.UnexpectedResult; // Bob, Dan, Eve

    // Bad input is an error code, never a crash.
    const bad = c.toonstore_get(db, -1, &gone, &len);
    try out.print("get    row -1 -> {s} ({d})\n", .{ std.mem.span(c.toonstore_strerror(bad)), bad });
    if (bad >= 0) return error.UnexpectedResult;
    try out.flush();
}

pub fn main() !void {
    var gpa: std.heap.GeneralPurposeAllocator(.{}) = .init;
    defer _ = gpa.deinit();
    const alloc = gpa.allocator();

    var stdout_buf: [4096]u8 = undefined;
    var stdout_writer = std.fs.File.stdout().writer(&stdout_buf);
    const out = &stdout_writer.interface;

    const args = try std.process.argsAlloc(alloc);
    defer std.process.argsFree(alloc, args);

    var dir_buf: [std.fs.max_path_bytes]u8 = undefined;
    const temporary = args.len < 2;
    const dir: []const u8 = if (temporary)
        try std.fmt.bufPrint(&dir_buf, "/tmp/toonstore-example-zig-{d}", .{std.c.getpid()})
    else
        args[1];
    defer if (temporary) std.fs.cwd().deleteTree(dir) catch {};

    var path_buf: [std.fs.max_path_bytes]u8 = undefined;
    const path = try std.fmt.bufPrintZ(&path_buf, "{s}/db", .{dir});

    run(out, path) catch |err| {
        try out.print("Zig example: FAILED ({s})\n", .{@errorName(err)});
        try out.flush();
        std.process.exit(1);
    };
    try out.print("closed\nZig example: OK\n", .{});
    try out.flush();
}
