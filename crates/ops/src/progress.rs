//! Progress of long commands on the operator's terminal; nothing at all when stderr is piped
//! or redirected, so scripts and logs get only the result lines.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A counter of rows for work whose size is unknown (`total` None) or known.
pub fn rows(what: &str, total: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (bar, template) = match total {
        Some(total) => (
            ProgressBar::new(total),
            "{msg} [{bar:30}] {human_pos}/{human_len} rows, {per_sec}, {eta} left",
        ),
        None => (
            ProgressBar::new_spinner(),
            "{spinner} {msg} {human_pos} rows, {per_sec}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
