//! Progress on stderr, drawn only when stderr is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `len` units (a spinner when `None`), hidden unless stderr is a terminal.
pub fn bar(len: Option<u64>, message: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => {
            let s = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            s.enable_steady_tick(std::time::Duration::from_millis(100));
            s
        }
    };
    bar.set_message(message);
    bar
}
