//! The process environment as config sees it, and `CXSYNC__SECTION__KEY` overrides.
//!
//! `CXSYNC__STORE__PATH=/tmp/x.db` sets `store.path`. Connections are addressed by name (upper
//! case, anything not a letter or digit as `_`) or by position:
//! `CXSYNC__CONNECTIONS__ACME_AU__XERO__CLIENT_SECRET` and
//! `CXSYNC__CONNECTIONS__0__XERO__CLIENT_SECRET` both set the first connection's secret when it
//! is named `acme-au`.

use std::collections::BTreeMap;

/// Prefix of override variables.
const PREFIX: &str = "CXSYNC__";

/// A snapshot of the environment variables config reads, so tests can pass their own.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// The current process's environment (variables that are not UTF-8 are skipped).
    pub fn from_process() -> Self {
        Self::from_pairs(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }

    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self { vars: pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// One override: the variable, the config path it sets (`connections[0].xero.client_secret`)
/// and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Override {
    pub var: String,
    pub key: String,
    pub value: String,
}

/// The overrides in `env`, given the connection names in the file (in order).
pub(super) fn overrides(env: &Env, connection_names: &[String]) -> Result<Vec<Override>, String> {
    let mut out = Vec::new();
    // An empty variable counts as unset, as everywhere else.
    for (var, value) in
        env.vars.iter().filter(|(var, value)| var.starts_with(PREFIX) && !value.is_empty())
    {
        let segments: Vec<String> =
            var[PREFIX.len()..].split("__").map(str::to_lowercase).collect();
        if segments.iter().any(String::is_empty) {
            return Err(format!(
                "environment variable {var} has an empty section: use CXSYNC__SECTION__KEY"
            ));
        }
        let key = match segments.as_slice() {
            [first, which, rest @ ..] if first == "connections" && !rest.is_empty() => {
                let index = connection_index(which, connection_names).ok_or_else(|| {
                    format!(
                        "environment variable {var} names connection `{which}`, which the config \
                         file does not have (it has: {})",
                        connection_names.join(", ")
                    )
                })?;
                format!("connections[{index}].{}", rest.join("."))
            }
            [first, ..] if first == "connections" => {
                return Err(format!(
                    "environment variable {var} must name a connection and a key, e.g. \
                     CXSYNC__CONNECTIONS__ACME_AU__XERO__CLIENT_SECRET"
                ));
            }
            _ => segments.join("."),
        };
        out.push(Override { var: var.clone(), key, value: value.clone() });
    }
    Ok(out)
}

fn connection_index(which: &str, names: &[String]) -> Option<usize> {
    if let Ok(index) = which.parse::<usize>() {
        return (index < names.len()).then_some(index);
    }
    names.iter().position(|name| env_name(name) == which.to_uppercase())
}

/// How a connection name is spelled in an environment variable: `acme-au` → `ACME_AU`.
pub fn env_name(connection: &str) -> String {
    connection
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec!["acme-au".into(), "beta.nz".into()]
    }

    #[test]
    fn plain_and_connection_overrides_map_to_config_paths() {
        let env = Env::from_pairs([
            ("CXSYNC__STORE__PATH", "/tmp/x.db"),
            ("CXSYNC__CONNECTIONS__ACME_AU__XERO__CLIENT_SECRET", "s"),
            ("CXSYNC__CONNECTIONS__1__CIN7__LIMITS__PER_MINUTE", "30"),
            ("CXSYNC_CONFIG", "/etc/ignored.toml"),
            ("HOME", "/root"),
        ]);
        let keys: Vec<String> =
            overrides(&env, &names()).unwrap().into_iter().map(|o| o.key).collect();
        // Sorted by variable name, so which of two overrides wins never depends on the OS.
        assert_eq!(
            keys,
            [
                "connections[1].cin7.limits.per_minute",
                "connections[0].xero.client_secret",
                "store.path"
            ]
        );
    }

    #[test]
    fn unknown_connection_is_an_error_naming_the_variable() {
        let env = Env::from_pairs([("CXSYNC__CONNECTIONS__NOPE__XERO__CLIENT_ID", "x")]);
        let err = overrides(&env, &names()).unwrap_err();
        assert!(
            err.contains("CXSYNC__CONNECTIONS__NOPE__XERO__CLIENT_ID") && err.contains("acme-au"),
            "{err}"
        );
    }

    #[test]
    fn out_of_range_index_and_empty_section_are_errors() {
        assert!(
            overrides(&Env::from_pairs([("CXSYNC__CONNECTIONS__2__NAME", "x")]), &names()).is_err()
        );
        assert!(overrides(&Env::from_pairs([("CXSYNC__STORE____PATH", "x")]), &names()).is_err());
        assert!(
            overrides(&Env::from_pairs([("CXSYNC__CONNECTIONS__ACME_AU", "x")]), &names()).is_err()
        );
    }

    #[test]
    fn env_names_upper_case_and_underscore() {
        assert_eq!(env_name("acme-au.2"), "ACME_AU_2");
    }
}
