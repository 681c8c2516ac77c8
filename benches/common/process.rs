//! This process's CPU time and peak memory, read from Linux's `/proc/self`, for the bench
//! binaries that print them (each uses what it needs).
#![allow(dead_code)]

use std::time::Duration;

/// The process's peak resident set since start or the last [`reset_peak_rss`] (`VmHWM`), in
/// KiB.
pub(crate) fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// The CPU time this process (all its threads) has used so far, in seconds: user and system
/// time from `/proc/self/stat`, in Linux's 1/100 s ticks. Unlike wall time, it hardly moves
/// with other processes' load.
pub(crate) fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which may hold spaces) in parentheses; user and
    // system time are the 14th and 15th of the line.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 =
        after.split_whitespace().skip(11).take(2).filter_map(|t| t.parse::<u64>().ok()).sum();
    Duration::from_millis(ticks * 10).as_secs_f64()
}

/// Resets the peak resident set to the current one (Linux `clear_refs` 5).
pub(crate) fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
