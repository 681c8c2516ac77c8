//! Refresh tokens: the store's side of [`crate::xero::auth::TokenStore`].

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use secrecy::{ExposeSecret, SecretString};

use super::{StoreError, open_writer};
use crate::clock::timestamp;
use crate::xero::auth::{StoredToken, TokenStore};

/// Versioned refresh tokens on their own connection. A rotation inserts the next version and
/// retires the previous one in one immediate transaction, so a crash never loses the live one
/// and two processes can never both think theirs is current.
#[derive(Debug)]
pub struct TokenVault {
    conn: Mutex<Connection>,
}

impl TokenVault {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self { conn: Mutex::new(open_writer(path)?) })
    }

    fn current_token(&self, connection: &str) -> rusqlite::Result<Option<StoredToken>> {
        let conn = self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        conn.query_row(
            "SELECT t.refresh_token, t.tenant_id, t.scopes FROM oauth_tokens t
             JOIN connections c ON c.id = t.connection_id
             WHERE c.name = ?1 AND t.superseded_at IS NULL
             ORDER BY t.version DESC LIMIT 1",
            [connection],
            |row| {
                Ok(StoredToken {
                    refresh_token: SecretString::from(row.get::<_, String>(0)?),
                    tenant_id: row.get(1)?,
                    scopes: row.get(2)?,
                })
            },
        )
        .optional()
    }

    fn rotate_token(
        &self,
        connection: &str,
        token: &StoredToken,
        replaces: Option<&StoredToken>,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let mut conn = self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| e.to_string())?;
        let id: i64 = tx
            .query_row("SELECT id FROM connections WHERE name = ?1", [connection], |row| row.get(0))
            .optional()
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                format!("connection `{connection}` is not in the store (run `cxsync check` first)")
            })?;
        if let Some(old) = replaces {
            let live: Option<String> = tx
                .query_row(
                    "SELECT refresh_token FROM oauth_tokens WHERE connection_id = ?1 AND superseded_at IS NULL
                     ORDER BY version DESC LIMIT 1",
                    [id],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| e.to_string())?;
            if live.as_deref() != Some(old.refresh_token.expose_secret()) {
                return Err("another sign-in replaced the refresh token meanwhile; it is kept and used from now on".into());
            }
        }
        let now = timestamp(now);
        tx.execute(
            "UPDATE oauth_tokens SET superseded_at = ?2 WHERE connection_id = ?1 AND superseded_at IS NULL",
            params![id, now],
        )
        .map_err(|e| e.to_string())?;
        tx.execute(
            "INSERT INTO oauth_tokens (connection_id, version, refresh_token, tenant_id, scopes, created_at)
             VALUES (?1, (SELECT coalesce(max(version), 0) + 1 FROM oauth_tokens WHERE connection_id = ?1),
                     ?2, ?3, ?4, ?5)",
            params![id, token.refresh_token.expose_secret(), token.tenant_id, token.scopes, now],
        )
        .map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())
    }
}

impl TokenStore for TokenVault {
    fn current(&self, connection: &str) -> Result<Option<StoredToken>, String> {
        self.current_token(connection).map_err(|e| format!("reading the stored refresh token: {e}"))
    }

    fn rotate(
        &self,
        connection: &str,
        token: &StoredToken,
        replaces: Option<&StoredToken>,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        self.rotate_token(connection, token, replaces, now)
            .map_err(|e| format!("saving the refresh token: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Cin7Kind;
    use crate::store::Store;

    fn token(value: &str) -> StoredToken {
        StoredToken {
            refresh_token: value.to_string().into(),
            tenant_id: Some("t-1".into()),
            scopes: None,
        }
    }

    #[test]
    fn rotation_keeps_one_live_token_and_the_history() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cxsync.db");
        let store = Store::open(&path).unwrap();
        store.ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH).unwrap();
        let vault = TokenVault::open(&path).unwrap();
        assert!(vault.current("acme").unwrap().is_none());
        vault.rotate("acme", &token("first"), None, DateTime::UNIX_EPOCH).unwrap();
        vault
            .rotate("acme", &token("second"), Some(&token("first")), DateTime::UNIX_EPOCH)
            .unwrap();
        let reopened = TokenVault::open(&path).unwrap();
        assert_eq!(
            reopened.current("acme").unwrap().unwrap().refresh_token.expose_secret(),
            "second"
        );
        let live =
            store.query("SELECT version FROM oauth_tokens WHERE superseded_at IS NULL").unwrap();
        assert_eq!(live.rows.len(), 1);
        let all = store.query("SELECT version FROM oauth_tokens").unwrap();
        assert_eq!(all.rows.len(), 2);
    }

    #[test]
    fn a_rotation_from_a_superseded_token_keeps_the_newer_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cxsync.db");
        Store::open(&path)
            .unwrap()
            .ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH)
            .unwrap();
        let vault = TokenVault::open(&path).unwrap();
        vault.rotate("acme", &token("old-grant"), None, DateTime::UNIX_EPOCH).unwrap();
        // An admin signs in again while a refresh of the old grant is under way...
        vault.rotate("acme", &token("new-sign-in"), None, DateTime::UNIX_EPOCH).unwrap();
        // ...and the refresh, finishing late, must not replace it.
        let err = vault
            .rotate(
                "acme",
                &token("old-grant-rotated"),
                Some(&token("old-grant")),
                DateTime::UNIX_EPOCH,
            )
            .unwrap_err();
        assert!(err.contains("another sign-in"), "{err}");
        assert_eq!(
            vault.current("acme").unwrap().unwrap().refresh_token.expose_secret(),
            "new-sign-in"
        );
    }

    #[test]
    fn support_queries_see_no_refresh_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cxsync.db");
        Store::open(&path)
            .unwrap()
            .ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH)
            .unwrap();
        TokenVault::open(&path)
            .unwrap()
            .rotate("acme", &token("the-secret"), None, DateTime::UNIX_EPOCH)
            .unwrap();
        let reader = Store::open_read_only(&path).unwrap();
        for sql in [
            "SELECT refresh_token FROM oauth_tokens",
            "SELECT * FROM oauth_tokens",
            "SELECT group_concat(refresh_token) FROM oauth_tokens",
        ] {
            let shown = format!("{:?}", reader.query(sql).unwrap());
            assert!(!shown.contains("the-secret"), "{sql}: {shown}");
        }
        assert_eq!(
            reader.query("SELECT count(*) FROM oauth_tokens").unwrap().rows[0][0],
            crate::table::Value::Integer(1)
        );
    }

    #[test]
    fn rotation_for_an_unknown_connection_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cxsync.db");
        drop(Store::open(&path).unwrap());
        let err = TokenVault::open(&path)
            .unwrap()
            .rotate("nope", &token("x"), None, DateTime::UNIX_EPOCH)
            .unwrap_err();
        assert!(err.contains("cxsync check"), "{err}");
    }
}
