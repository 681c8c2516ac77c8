//! Xero's identity API: which organisations (tenants) a token can read.

use reqwest::header::AUTHORIZATION;
use serde::Deserialize;

use crate::http::{ApiRequest, HttpError, HttpLayer, Quota};

/// One organisation the signed-in user connected to this app.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub tenant_id: String,
    #[serde(default)]
    pub tenant_name: Option<String>,
    /// `ORGANISATION` or `PRACTICE`; only organisations have accounting data.
    #[serde(default)]
    pub tenant_type: Option<String>,
}

/// Errors reading `/connections`.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("reading Xero's /connections: {0}")]
    Http(#[from] HttpError),
    #[error("Xero's /connections answer is not a list of tenants: {0}")]
    Parse(#[from] serde_json::Error),
}

/// `GET {identity_url}/connections`: the organisations this access token may read.
pub async fn tenants(
    layer: &HttpLayer,
    quota: &Quota,
    identity_url: &url::Url,
    access_token: &secrecy::SecretString,
) -> Result<Vec<Tenant>, IdentityError> {
    let url = identity_url
        .join("connections")
        .map_err(|e| HttpError::Setup(format!("identity_url: {e}")))?;
    let mut request = ApiRequest::get(url);
    request.headers.insert(AUTHORIZATION, super::bearer(access_token)?);
    let response = layer.send(quota, &request).await?;
    let all: Vec<Tenant> = serde_json::from_slice(&response.body)?;
    Ok(all
        .into_iter()
        .filter(|t| t.tenant_type.as_deref().is_none_or(|kind| kind == "ORGANISATION"))
        .collect())
}

/// Picks the tenant a connection reads: the configured one (which must be among `tenants`),
/// or the only one. The error lists the choices in words an admin can act on.
pub fn choose_tenant<'t>(
    tenants: &'t [Tenant],
    configured: Option<&str>,
    connection: &str,
) -> Result<&'t Tenant, String> {
    let listing = || {
        tenants
            .iter()
            .map(|t| {
                format!("  {} ({})", t.tenant_name.as_deref().unwrap_or("unnamed"), t.tenant_id)
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    match (configured, tenants) {
        (_, []) => Err("the sign-in granted no Xero organisation: sign in again and tick an organisation".into()),
        (Some(id), _) => tenants.iter().find(|t| t.tenant_id == id).ok_or_else(|| {
            format!("connection `{connection}` is configured for tenant {id}, but the sign-in granted only:\n{}", listing())
        }),
        (None, [only]) => Ok(only),
        (None, _) => Err(format!(
            "the sign-in granted several organisations; set `tenant_id` of connection `{connection}` to one of them and run `cxsync auth xero` again:\n{}",
            listing()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(id: &str) -> Tenant {
        Tenant {
            tenant_id: id.into(),
            tenant_name: Some(format!("Org {id}")),
            tenant_type: Some("ORGANISATION".into()),
        }
    }

    #[test]
    fn the_only_tenant_is_chosen_and_a_configured_one_must_be_granted() {
        let one = [tenant("a")];
        assert_eq!(choose_tenant(&one, None, "c").unwrap().tenant_id, "a");
        assert!(choose_tenant(&one, Some("b"), "c").unwrap_err().contains("Org a (a)"));
        let two = [tenant("a"), tenant("b")];
        assert_eq!(choose_tenant(&two, Some("b"), "c").unwrap().tenant_id, "b");
        assert!(choose_tenant(&two, None, "c").unwrap_err().contains("set `tenant_id`"));
        assert!(choose_tenant(&[], None, "c").is_err());
    }

    #[test]
    fn connections_answer_parses_in_its_documented_shape() {
        let body = r#"[ { "id": "7cb59f93-2964-421d-bb5e-a0f7a4572a44", "tenantId": "fe79f7dd-b6d4-4a92-ba7b-538af6289c58", "tenantName": "Demo Company (NZ)", "tenantType": "ORGANISATION", "createdDateUtc": "2019-12-07T18:46:19.5165400", "updatedDateUtc": "2019-12-07T18:46:19.5187840" } ]"#;
        let tenants: Vec<Tenant> = serde_json::from_str(body).unwrap();
        assert_eq!(tenants[0].tenant_name.as_deref(), Some("Demo Company (NZ)"));
    }
}
