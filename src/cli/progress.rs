//! The progress of a compose job on standard error.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use pli::job::Progress;

/// Progress on standard error: a bar on a terminal, a line every few seconds with
/// `--progress` elsewhere, nothing with `--quiet` or on a pipe. Counts only, never names.
pub struct ProgressDisplay {
    bar: Option<ProgressBar>,
    lines: bool,
    last_line: Instant,
    started: Instant,
}

impl ProgressDisplay {
    pub fn new(quiet: bool, forced: bool) -> ProgressDisplay {
        let terminal = std::io::stderr().is_terminal();
        let bar = (!quiet && terminal).then(|| {
            let bar = ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(200));
            bar.set_message("reading records");
            bar
        });
        ProgressDisplay {
            bar,
            lines: !quiet && !terminal && forced,
            // The first update is shown at once, later ones every two seconds.
            last_line: Instant::now() - Duration::from_secs(2),
            started: Instant::now(),
        }
    }

    pub fn update(&mut self, p: Progress) {
        if let Some(bar) = &self.bar {
            match p {
                Progress::Reading { records } => bar.set_message(format!("reading records: {records}")),
                Progress::Composing { done, total, pages } => {
                    if bar.length() != Some(total) {
                        bar.set_length(total);
                        bar.set_style(
                            ProgressStyle::with_template(
                                "{bar:30} {pos}/{len} pieces · {per_sec} · ETA {eta} · {msg}",
                            )
                            .unwrap_or_else(|_| ProgressStyle::default_bar()),
                        );
                    }
                    bar.set_position(done);
                    bar.set_message(format!("{pages} pages"));
                }
            }
        }
        if self.lines && self.last_line.elapsed() >= Duration::from_secs(2) {
            self.last_line = Instant::now();
            let secs = self.started.elapsed().as_secs_f64().max(1e-6);
            match p {
                Progress::Reading { records } => eprintln!("pli: progress: {records} records read"),
                Progress::Composing { done, total, pages } => eprintln!(
                    "pli: progress: {done}/{total} pieces, {pages} pages, {:.0} pages/s",
                    pages as f64 / secs
                ),
            }
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
