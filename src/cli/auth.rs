//! `cxsync auth xero`: the one-time sign-in of a standard-app connection. Prints the URL to
//! open, waits on the loopback redirect, exchanges the code (PKCE), picks the organisation
//! from `/connections`, and stores the refresh token for the daemon.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, anyhow};

use super::Failure;
use crate::clock::{Clock, SystemClock};
use crate::config::{Connection, Settings, XeroAuth};
use crate::http::{HttpLayer, HttpSettings};
use crate::store::{CallLog, Store, TokenVault};
use crate::xero::auth::{SignIn, TokenStore as _};
use crate::xero::{identity, loopback};

/// How long the listener waits for the browser.
const SIGN_IN_TIMEOUT: Duration = Duration::from_mins(10);

pub(super) fn run(
    settings: &Settings,
    connection: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let connection = pick(settings, connection).map_err(Failure::usage)?;
    let store = Store::open(&settings.store.path).context("opening the store")?;
    store
        .ensure_connection(&connection.name, connection.cin7.kind(), SystemClock.now())
        .context("recording the connection")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(sign_in(settings, connection, out)).map_err(Failure::from)
}

fn pick<'s>(settings: &'s Settings, name: Option<&str>) -> anyhow::Result<&'s Connection> {
    let standard: Vec<&Connection> = settings
        .connections
        .iter()
        .filter(|c| c.xero.auth == XeroAuth::AuthorizationCode)
        .collect();
    match name {
        Some(name) => {
            let connection =
                settings.connections.iter().find(|c| c.name == name).ok_or_else(|| {
                    anyhow!("no connection named `{name}` in {}", settings.source.display())
                })?;
            if connection.xero.auth != XeroAuth::AuthorizationCode {
                return Err(anyhow!(
                    "connection `{name}` uses client_credentials (a custom connection): it needs no sign-in"
                ));
            }
            Ok(connection)
        }
        None => match standard.as_slice() {
            [only] => Ok(only),
            [] => Err(anyhow!(
                "no connection uses `auth = \"authorization_code\"`: nothing to sign in"
            )),
            several => Err(anyhow!(
                "several connections sign in with a browser ({}): choose one with --connection",
                several.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
            )),
        },
    }
}

async fn sign_in(
    settings: &Settings,
    connection: &Connection,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let xero = &connection.xero;
    let recorder = Arc::new(CallLog::open(&settings.store.path)?);
    let layer = HttpLayer::new(&HttpSettings::default(), recorder, Arc::new(SystemClock))?;
    let quota = layer.quota("xero", &connection.name, crate::xero::quota_spec(&xero.limits), None);
    let listener = loopback::bind(&xero.redirect_uri).await.with_context(|| {
        format!("listening on {} for the sign-in to come back", xero.redirect_uri)
    })?;
    let flow = SignIn::start(xero);
    writeln!(
        out,
        "Sign in to Xero for connection `{}`: open this address in a browser on this machine\n\
         (from another machine, forward the port first: ssh -L {port}:localhost:{port} THIS-HOST)\n\n{}\n\n\
         Waiting up to {} minutes for the sign-in to come back to {}…",
        connection.name,
        flow.url,
        SIGN_IN_TIMEOUT.as_secs() / 60,
        xero.redirect_uri,
        port = xero.redirect_uri.port().unwrap_or(80),
    )?;
    out.flush()?;
    let redirect = loopback::wait(&listener, &xero.redirect_uri, SIGN_IN_TIMEOUT)
        .await
        .map_err(|e| anyhow!(e))?;
    let (mut stored, access) = flow
        .finish(&connection.name, xero, &layer, &quota, &redirect.code, &redirect.state)
        .await?;
    // The refresh token is saved before the access token is used at all, so a failure from
    // here on never means signing in again.
    let vault = TokenVault::open(&settings.store.path)?;
    vault
        .rotate(&connection.name, &stored, None, SystemClock.now())
        .map_err(|e| anyhow!(e))
        .context("saving the refresh token")?;
    let tenants = identity::tenants(&layer, &quota, &xero.identity_url, &access.secret).await?;
    let tenant = identity::choose_tenant(&tenants, xero.tenant_id.as_deref(), &connection.name)
        .map_err(|e| anyhow!(e))?;
    stored.tenant_id = Some(tenant.tenant_id.clone());
    vault
        .rotate(&connection.name, &stored, None, SystemClock.now())
        .map_err(|e| anyhow!(e))
        .context("saving the chosen organisation")?;
    writeln!(
        out,
        "Signed in: connection `{}` reads organisation {} ({}). The refresh token is stored in {}.",
        connection.name,
        tenant.tenant_name.as_deref().unwrap_or("(unnamed)"),
        tenant.tenant_id,
        settings.store.path.display()
    )?;
    Ok(())
}
