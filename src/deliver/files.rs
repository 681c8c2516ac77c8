//! The report as dated files: `<directory>/<connection>/<date>.txt`, `.html`, `.json` and
//! each image as `<date>-<image file name>`, with the HTML's `cid:` references pointing at the
//! image files beside it.
//!
//! Each file is written whole or not at all: a temporary file in the same folder, flushed to
//! disk, then renamed over the old one (and the folder synced), so a reader or a crash never
//! sees half a report. Files are 0640 and folders 0750: reports are business data, not for
//! every user on the machine.

use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::DeliveryError;
use crate::report::Email;

const FILE_MODE: u32 = 0o640;
const DIR_MODE: u32 = 0o750;

/// Writes the report files of `connection` for `date` under `directory`; returns the
/// connection's folder.
pub fn write_report(
    directory: &Path,
    connection: &str,
    date: NaiveDate,
    email: &Email,
    json: &str,
) -> Result<PathBuf, DeliveryError> {
    if connection.is_empty() || connection.chars().all(|c| c == '.') {
        return Err(DeliveryError::Compose(format!(
            "connection name `{connection}` cannot name a report folder: rename the connection"
        )));
    }
    let folder = directory.join(connection);
    create_dir(directory)?;
    create_dir(&folder)?;
    let mut html = email.html.clone();
    for image in &email.images {
        let name = format!("{date}-{}", safe_file_name(&image.filename));
        write_atomic(&folder.join(&name), &image.png)?;
        html = html.replace(&format!("cid:{}", image.content_id), &name);
    }
    write_atomic(&folder.join(format!("{date}.txt")), email.text.as_bytes())?;
    write_atomic(&folder.join(format!("{date}.html")), html.as_bytes())?;
    write_atomic(&folder.join(format!("{date}.json")), json.as_bytes())?;
    Ok(folder)
}

/// Creates `dir` (and its parents) 0750 unless it exists.
fn create_dir(dir: &Path) -> Result<(), DeliveryError> {
    if dir.is_dir() {
        return Ok(());
    }
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
        .and_then(|()| std::fs::set_permissions(dir, Permissions::from_mode(DIR_MODE)))
        .map_err(|source| DeliveryError::File { path: dir.into(), source })
}

/// Writes `bytes` to `path` through a temporary file in the same folder, synced, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), DeliveryError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("report");
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(FILE_MODE)
            .open(&temp)?;
        // The mode given to open is reduced by the umask; set it exactly.
        file.set_permissions(Permissions::from_mode(FILE_MODE))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    result.map_err(|source| {
        let _ = std::fs::remove_file(&temp);
        DeliveryError::File { path: path.into(), source }
    })
}

/// A file name with nothing but letters, digits, `.`, `-` and `_` (others become `_`), never
/// starting with a dot.
fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() { "image.png".into() } else { cleaned.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_image_names_are_flattened() {
        assert_eq!(safe_file_name("trend-acme.png"), "trend-acme.png");
        assert_eq!(safe_file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_name("..."), "image.png");
    }

    #[test]
    fn a_connection_named_dots_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let email = Email {
            subject: String::new(),
            text: String::new(),
            html: String::new(),
            images: vec![],
        };
        let date = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert!(write_report(dir.path(), "..", date, &email, "{}").is_err());
    }
}
