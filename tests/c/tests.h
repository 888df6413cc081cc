/* The list of tests, in the order they run. Each X(name) is `void test_name(void)`. */
#ifndef TOONSTORE_TESTS_H
#define TOONSTORE_TESTS_H

#define TS_TESTS(X)                                                                              \
    X(seed_open_creates_missing_directories)                                                     \
    X(seed_open_failure_returns_null_with_reason)                                                \
    X(seed_close_null_is_a_noop)                                                                 \
    X(seed_close_releases_the_lock)                                                              \
    X(seed_put_ids_increase_and_are_never_reused)                                                \
    X(seed_get_returns_a_caller_owned_copy)                                                      \
    X(seed_empty_rows)                                                                           \
    X(seed_get_not_found)                                                                        \
    X(seed_delete_twice)                                                                         \
    X(seed_scan_ascending_live_rows)                                                             \
    X(seed_scan_reads_a_snapshot)                                                                \
    X(seed_iter_next_borrowed_pointer_lifetime)                                                  \
    X(seed_last_error_lifetime_and_copy)                                                         \
    X(seed_free_functions_accept_null)                                                           \
    X(ext_options_init_defaults_and_versions)                                                    \
    X(ext_open_with_options)                                                                     \
    X(ext_read_only_open)                                                                        \
    X(ext_put_with_durabilities)                                                                 \
    X(ext_get_into)                                                                              \
    X(ext_contains)                                                                              \
    X(ext_scan_from)                                                                             \
    X(ext_scan_range)                                                                            \
    X(ext_batch_commit)                                                                          \
    X(ext_batch_is_all_or_nothing)                                                               \
    X(ext_sync_compact_stats)                                                                    \
    X(ext_stats_version_check)                                                                   \
    X(ext_snapshot_zero_copy_lifetime)                                                           \
    X(ext_strerror_every_code)                                                                   \
    X(ext_error_name_every_code)                                                                 \
    X(ext_version_functions_match_macros)                                                        \
    X(ext_api_table)                                                                             \
    X(ext_check)                                                                                 \
    X(bad_args_table)                                                                            \
    X(bad_args_double_close_via_close_checked)                                                   \
    X(threads_last_error_is_per_thread)                                                          \
    X(threads_share_one_handle)                                                                  \
    X(threads_two_handles_one_database)                                                          \
    X(process_second_process_gets_locked)                                                        \
    X(process_second_handle_in_process_shares_the_database)                                      \
    X(process_writer_cannot_join_a_read_only_open)                                               \
    TS_POSIX_TESTS(X)

/* Tests built on fork(), which Windows lacks: the fork test itself, and the
 * readers test, whose writer is a forked child (POSIX systems only). */
#ifdef _WIN32
#define TS_POSIX_TESTS(X)
#else
#define TS_POSIX_TESTS(X)                                                                        \
    X(process_fork_child_gets_forked_and_holds_no_lock)                                          \
    X(readers_read_only_open_beside_a_live_writer)
#endif

#define TS_DECLARE(name) void test_##name(void);
TS_TESTS(TS_DECLARE)
#undef TS_DECLARE

#endif
