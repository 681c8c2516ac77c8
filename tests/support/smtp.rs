//! A real SMTP server for delivery tests: `smtp_sink.py` (Debian's python3-aiosmtpd, and
//! python3-cryptography for its test certificates) run as a child process on 127.0.0.1, and
//! the messages it received, as its JSON summaries.
//!
//! A machine without them fails the test with the command that installs them; it never skips
//! (`.ci/run` installs them).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running sink; killed when dropped.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// The Python with Debian's packages (aiosmtpd) on its path: the system one first, since a
/// `python3` earlier on `PATH` (pyenv, a virtualenv) may not see them.
fn python() -> PathBuf {
    let candidates = ["/usr/bin/python3", "python3"];
    for candidate in candidates {
        let ok = Command::new(candidate)
            .args(["-c", "import aiosmtpd, cryptography"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return candidate.into();
        }
    }
    panic!(
        "the SMTP delivery tests need Python's aiosmtpd and cryptography, found in neither \
         /usr/bin/python3 nor python3: install them with `apt-get install -y python3-aiosmtpd \
         python3-cryptography` (.ci/run does)"
    );
}

impl SmtpSink {
    /// Starts the sink with extra options (`--auth U:P`, `--reject 550`, `--fail-first N`,
    /// `--tls starttls|tls`).
    pub fn start(options: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new(python())
            .arg(&script)
            .arg(dir.path())
            .args(options)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting tests/support/smtp_sink.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("smtp_sink.py did not print its port: {line:?}"));
        Self { child, port, dir }
    }

    /// The test CA that signed the sink's certificate (started with `--tls`).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// The JSON summaries of the messages accepted so far, in order.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for n in 1.. {
            let path = self.dir.path().join(format!("{n}.json"));
            let Ok(text) = std::fs::read_to_string(&path) else { break };
            out.push(serde_json::from_str(&text).unwrap());
        }
        out
    }

    /// Waits (at most 10 s) until `count` messages have arrived, and returns them.
    pub fn wait_for(&self, count: usize) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let messages = self.messages();
            if messages.len() >= count || Instant::now() > deadline {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A 1×1 PNG: signature, IHDR, IDAT, IEND.
pub const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
