//! Secrets: where each one comes from, and a value that never prints.
//!
//! A secret `key` of a connection section is resolved in this order, the first that is set
//! winning: the key itself in the file (or its `CXSYNC__…` environment override), `key_file`
//! (a path; relative paths are taken from the config file's directory), then a systemd
//! credential named `<connection>.<section>.<key>` in `$CREDENTIALS_DIRECTORY`
//! (`LoadCredential=acme-au.xero.client_secret:/etc/cxsync/secrets/acme-xero`).

use std::fmt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

/// A secret value with where it came from. `Debug` shows the source, never the value.
#[derive(Clone)]
pub struct Secret {
    value: SecretString,
    source: SecretSource,
}

/// Where a secret came from, for `cxsync check` and for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// Written in the config file.
    Inline,
    /// An environment override (`CXSYNC__…`), named.
    Environment(String),
    /// A `*_file` key.
    File(PathBuf),
    /// A systemd credential.
    Credential(PathBuf),
}

impl Secret {
    pub fn new(value: SecretString, source: SecretSource) -> Self {
        Self { value, source }
    }

    /// The secret itself, for the one place that sends it (an HTTP header, a token request).
    pub fn expose(&self) -> &str {
        self.value.expose_secret()
    }

    pub fn source(&self) -> &SecretSource {
        &self.source
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<redacted>, from {})", self.source)
    }
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Inline => f.write_str("the config file"),
            Self::Environment(var) => write!(f, "environment variable {var}"),
            Self::File(path) => write!(f, "file {}", path.display()),
            Self::Credential(path) => write!(f, "systemd credential {}", path.display()),
        }
    }
}

/// What the config gave for one secret key.
pub(super) struct SecretInput<'a> {
    /// `<connection>.<section>.<key>`, e.g. `acme-au.xero.client_secret`.
    pub qualified_key: String,
    pub inline: Option<&'a SecretString>,
    pub inline_from_env: Option<&'a str>,
    pub file: Option<&'a Path>,
}

/// Resolves one secret; `Ok(None)` when nothing provides it.
pub(super) fn resolve(
    input: &SecretInput<'_>,
    config_dir: &Path,
    credentials_dir: Option<&Path>,
) -> Result<Option<Secret>, String> {
    let key = &input.qualified_key;
    // The environment overrides the file, `key_file` included.
    let file = if input.inline_from_env.is_some() { None } else { input.file };
    match (input.inline, file) {
        (Some(_), Some(_)) => Err(format!("`{key}` and `{key}_file` are both set: keep one")),
        (Some(value), None) => {
            let source = input
                .inline_from_env
                .map_or(SecretSource::Inline, |var| SecretSource::Environment(var.to_string()));
            non_empty(key, value.clone(), source).map(Some)
        }
        (None, Some(file)) => {
            let path = config_dir.join(file);
            let value = read_secret_file(&path)
                .map_err(|err| format!("cannot read `{key}_file` {}: {err}", path.display()))?;
            non_empty(key, value, SecretSource::File(path)).map(Some)
        }
        (None, None) => {
            let Some(dir) = credentials_dir else { return Ok(None) };
            let path = dir.join(key);
            if !path.exists() {
                return Ok(None);
            }
            let value = read_secret_file(&path).map_err(|err| {
                format!("cannot read systemd credential {}: {err}", path.display())
            })?;
            non_empty(key, value, SecretSource::Credential(path)).map(Some)
        }
    }
}

fn non_empty(key: &str, value: SecretString, source: SecretSource) -> Result<Secret, String> {
    if value.expose_secret().trim().is_empty() {
        return Err(format!("`{key}` is empty (from {source})"));
    }
    Ok(Secret::new(value, source))
}

/// Reads a secret file, dropping one trailing newline, and warns if others can read it.
fn read_secret_file(path: &Path) -> std::io::Result<SecretString> {
    let mut text = std::fs::read_to_string(path)?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    warn_if_world_readable(path, "secret file");
    Ok(text.into())
}

/// Logs a warning when a file holding secrets can be read by every user on the machine.
pub(super) fn warn_if_world_readable(path: &Path, what: &str) {
    let Ok(meta) = std::fs::metadata(path) else { return };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o004 != 0 {
        tracing::warn!(
            path = %path.display(),
            mode = format!("{mode:o}"),
            "this {what} holds a secret and every user on the machine can read it: run \
             `chmod o-rwx` on it, or move the secret to a systemd credential or a *_file key"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(inline: Option<&'a SecretString>, file: Option<&'a Path>) -> SecretInput<'a> {
        SecretInput {
            qualified_key: "acme.xero.client_secret".into(),
            inline,
            inline_from_env: None,
            file,
        }
    }

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("hunter2".into(), SecretSource::Inline);
        let shown = format!("{secret:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn file_secret_drops_trailing_newline_and_resolves_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("xero.secret"), "s3cret\n").unwrap();
        let secret = resolve(&input(None, Some(Path::new("xero.secret"))), dir.path(), None)
            .unwrap()
            .unwrap();
        assert_eq!(secret.expose(), "s3cret");
        assert_eq!(secret.source(), &SecretSource::File(dir.path().join("xero.secret")));
    }

    #[test]
    fn systemd_credential_is_used_when_nothing_else_is_set() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("acme.xero.client_secret"), "from-systemd").unwrap();
        let secret =
            resolve(&input(None, None), Path::new("/"), Some(dir.path())).unwrap().unwrap();
        assert_eq!(secret.expose(), "from-systemd");
        assert!(matches!(secret.source(), SecretSource::Credential(_)));
    }

    #[test]
    fn both_inline_and_file_is_an_error_and_nothing_is_none() {
        let value: SecretString = "x".into();
        let err = resolve(&input(Some(&value), Some(Path::new("f"))), Path::new("/"), None)
            .err()
            .unwrap();
        assert!(err.contains("both set"), "{err}");
        assert!(resolve(&input(None, None), Path::new("/"), None).unwrap().is_none());
    }

    #[test]
    fn empty_secret_is_an_error() {
        let value: SecretString = "  ".into();
        let err = resolve(&input(Some(&value), None), Path::new("/"), None).err().unwrap();
        assert!(err.contains("is empty"), "{err}");
    }
}
