//! Progress on stderr, drawn only when stderr is a terminal: never into a
//! pipe, a file or a CI log, and never on stdout, which carries the data.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

fn on_terminal(len: Option<u64>) -> Option<ProgressBar> {
    std::io::stderr()
        .is_terminal()
        .then(|| ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr()))
}

/// A bar of `len` units (rows), hidden unless stderr is a terminal.
pub fn bar(len: u64, message: &'static str) -> ProgressBar {
    let Some(bar) = on_terminal(Some(len)) else {
        return ProgressBar::hidden();
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} {wide_bar} {human_pos}/{human_len} rows ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(message);
    bar
}

/// A spinner for work of unknown length, ticking on its own; with `rows`
/// it also shows the count of rows passed to `inc`. Hidden unless stderr is
/// a terminal.
pub fn spinner(message: &'static str, rows: bool) -> ProgressBar {
    let Some(spinner) = on_terminal(None) else {
        return ProgressBar::hidden();
    };
    let template = if rows {
        "{spinner} {msg} {human_pos} rows ({elapsed})"
    } else {
        "{spinner} {msg} ({elapsed})"
    };
    spinner.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(message);
    spinner.enable_steady_tick(Duration::from_millis(100));
    spinner
}
