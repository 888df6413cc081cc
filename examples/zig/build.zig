//! Builds the Zig example against an installed ToonStore found through
//! pkg-config (set PKG_CONFIG_PATH=<prefix>/lib/pkgconfig). Zig 0.15.x.
//!
//!   zig build run                   links libtoonstore.so
//!   zig build run -Dstatic=true     links libtoonstore.a
//!
//! (the project's scripts run the pinned Zig from PyPI as
//! `.tools/venv/bin/python -m ziglang`; see docs/zig/README.md)
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const static = b.option(bool, "static", "Link libtoonstore.a instead of libtoonstore.so") orelse false;

    const mod = b.createModule(.{
        .root_source_file = b.path("main.zig"),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
    });
    // `pkg-config --cflags --libs toonstore` gives the include and library
    // directories; .force makes a missing toonstore.pc an error instead of a
    // silent fallback to the default search paths.
    mod.linkSystemLibrary("toonstore", .{
        .use_pkg_config = .force,
        .preferred_link_mode = if (static) .static else .dynamic,
        .search_strategy = if (static) .mode_first else .paths_first,
    });
    if (static) {
        // A Rust staticlib also needs a few system libraries. They are the
        // Libs.private of toonstore.pc; Zig's build system runs pkg-config
        // without --static, so ask for them here.
        const pkg_config = b.graph.env_map.get("PKG_CONFIG") orelse "pkg-config";
        const private_libs = b.run(&.{ pkg_config, "--static", "--libs-only-l", "toonstore" });
        var it = std.mem.tokenizeAny(u8, private_libs, " \t\r\n");
        while (it.next()) |flag| {
            if (!std.mem.startsWith(u8, flag, "-l")) continue;
            const lib = flag[2..];
            if (std.mem.eql(u8, lib, "toonstore")) continue;
            mod.linkSystemLibrary(lib, .{ .use_pkg_config = .no });
        }
    }

    const exe = b.addExecutable(.{
        .name = if (static) "toonstore_example_zig_static" else "toonstore_example_zig",
        .root_module = mod,
    });
    b.installArtifact(exe);

    const run_cmd = b.addRunArtifact(exe);
    run_cmd.step.dependOn(b.getInstallStep());
    if (b.args) |args| run_cmd.addArgs(args);
    const run_step = b.step("run", "Build and run the example");
    run_step.dependOn(&run_cmd.step);
}
