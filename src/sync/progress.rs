//! Progress of long reads (a first backfill can take an hour under Cin7's and Xero's limits).
//!
//! By default progress goes to the log, one line every [`PROGRESS_EVERY`] calls. An
//! interactive command installs a [`Display`] instead (an indicatif spinner on the terminal),
//! which every page updates.

use std::sync::OnceLock;

use super::EndpointReport;

/// How many calls of one endpoint pass between progress log lines.
pub const PROGRESS_EVERY: usize = 20;

/// Something that shows progress as pages are written.
pub trait Display: Send + Sync {
    fn page(&self, report: &EndpointReport);
}

static DISPLAY: OnceLock<Box<dyn Display>> = OnceLock::new();

/// Shows progress on `display` from now on (once per process; later calls are ignored).
pub fn install(display: Box<dyn Display>) {
    let _ = DISPLAY.set(display);
}

/// Called after every page an endpoint writes.
pub(super) fn page(report: &EndpointReport) {
    match DISPLAY.get() {
        Some(display) => display.page(report),
        None if report.calls > 0 && report.calls.is_multiple_of(PROGRESS_EVERY) => tracing::info!(
            endpoint = %report.endpoint,
            calls = report.calls,
            records = report.new + report.changed + report.unchanged,
            "still reading"
        ),
        None => {}
    }
}

/// An indicatif spinner on stderr: endpoint, calls and records of the read in progress.
#[derive(Debug, Clone)]
pub struct Spinner(indicatif::ProgressBar);

impl Spinner {
    /// A spinner when stderr is a terminal, `None` otherwise (logs are better there).
    pub fn for_terminal() -> Option<Self> {
        use std::io::IsTerminal as _;
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                .expect("a valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Some(Self(bar))
    }
}

impl Display for Spinner {
    fn page(&self, report: &EndpointReport) {
        self.0.set_message(format!(
            "{}: {} calls, {} records",
            report.endpoint,
            report.calls,
            report.new + report.changed + report.unchanged
        ));
    }
}

impl Spinner {
    /// Clears the spinner's line (before a summary is printed).
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spinner_shows_the_endpoint_calls_and_records() {
        let spinner = Spinner(indicatif::ProgressBar::hidden());
        let report = EndpointReport {
            endpoint: "Journals".into(),
            calls: 7,
            new: 600,
            unchanged: 100,
            ..EndpointReport::default()
        };
        spinner.page(&report);
        assert_eq!(spinner.0.message(), "Journals: 7 calls, 700 records");
    }
}
