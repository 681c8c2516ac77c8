//! Loading what one connection's variance report for a date is computed from. Amounts are
//! stored as TEXT decimals and are summed here as `Decimal`, never in SQL (SQLite would sum
//! them as floating point).

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr as _;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use rusqlite::{OptionalExtension as _, params};
use rust_decimal::Decimal;

use super::reconcile::CIN7_FEED;
use super::{Store, StoreError};
use crate::clock::timestamp;
use crate::config::AccountMap;
use crate::model::System;
use crate::report::{
    CallCount, FindingNote, FindingWindow, LedgerDays, MonthCount, OpenFinding,
    PROFIT_AND_LOSS_ROLES, ReportInput, XeroSource, day_end, financial_year_start, mapped,
    quarter_start,
};

/// A stored value that is not what cxsync writes.
fn corrupt(what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("stored {what} {value:?} is not valid").into(),
    )
}

fn decimal(value: &str) -> rusqlite::Result<Decimal> {
    Decimal::from_str(value).map_err(|_| corrupt("amount", value))
}

fn instant(value: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value).map(|t| t.to_utc()).map_err(|_| corrupt("timestamp", value))
}

/// The accounts a Cin7 Omni connection's derived ledger is whole for: COGS once mapped, and
/// inventory once COGS and `inventory_discrepancy` (where Omni posts adjustments that name no
/// account of their own) are both mapped. Inventory's figure leaves out what Omni's API does
/// not return (landed costs, supplier credit notes): `docs/reconciliation-omni.md`.
fn omni_known_accounts(accounts: &AccountMap) -> Vec<&str> {
    fn mapped(code: Option<&str>) -> Option<&str> {
        code.map(str::trim).filter(|c| !c.is_empty())
    }
    let cogs = mapped(accounts.cogs.as_deref());
    let discrepancy = mapped(accounts.inventory_discrepancy.as_deref());
    let inventory = (cogs.is_some() && discrepancy.is_some()).then(|| accounts.inventory.trim());
    cogs.into_iter().chain(inventory).collect()
}

impl Store {
    /// Whether the connection's Cin7 is Omni.
    fn is_omni(&self, id: i64) -> Result<bool, StoreError> {
        self.conn
            .query_row("SELECT cin7_kind = 'omni' FROM connections WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .map_err(StoreError::query("reading the connection's Cin7 kind"))
    }

    /// What `connection`'s report for `date` is computed from:
    /// - Profit-and-loss accounts (COGS, revenue, inventory discrepancy) count lines from the
    ///   start of the financial year containing `date` (Xero organisation's year end), when it
    ///   is synced; balance-sheet accounts count every line.
    /// - Cin7: the sum of its ledger lines dated on or before `date`, per account (every mapped
    ///   account gets a figure, zero included, once any Cin7 ledger line is stored; none
    ///   before). For Cin7 Omni only the accounts its derived ledger is whole for: COGS, and
    ///   inventory with COGS and the inventory discrepancy account mapped.
    /// - Xero: while the Journals endpoint is available and has been synced (or has lines),
    ///   the sum of journal lines dated on or before `date` (zero for a mapped account without
    ///   any); when Journals are marked unavailable, the trial-balance rows stored as at
    ///   exactly `date` (an account without a row has no figure, and neither has a P&L account
    ///   while the year's start is unknown); otherwise no figure.
    /// - Open findings: those not resolved now.
    /// - New and resolved findings: `opened`/`reopened` and `resolved` events from the end of
    ///   the latest stored report's date before `date` (or from 24 hours before, when there
    ///   is none) to the end of `date`, both in the connection's time zone.
    /// - Xero sales invoices and bills per month of `date`'s quarter, to `date` (fair use),
    ///   and the API calls logged in the 24 hours to the end of `date` (no limits: see
    ///   [`ReportInput::with_daily_limits`]).
    ///
    /// The connection is given by name, with its configured accounts and time zone.
    pub fn report_input(
        &self,
        connection: &str,
        accounts: &AccountMap,
        timezone: Option<Tz>,
        date: NaiveDate,
    ) -> Result<ReportInput, StoreError> {
        let id = self.connection_id(connection)?;
        let mapped = mapped(accounts);
        let codes: Vec<&str> = mapped.iter().map(|(_, code)| *code).collect();
        let year_start =
            self.year_end(id)?.and_then(|(day, month)| financial_year_start(date, day, month));
        let profit_and_loss: BTreeSet<&str> = mapped
            .iter()
            .filter(|(role, _)| PROFIT_AND_LOSS_ROLES.contains(role))
            .map(|(_, code)| *code)
            .collect();
        // Where each code's lines start counting: P&L accounts at the year's start, if known.
        let starts: BTreeMap<&str, NaiveDate> = year_start
            .map(|start| profit_and_loss.iter().map(|code| (*code, start)).collect())
            .unwrap_or_default();
        let sums = |days: LedgerDays| {
            let mut sums: BTreeMap<String, Decimal> = days
                .codes()
                .map(|code| (code.to_string(), days.balance(code, starts.get(code).copied(), date)))
                .collect();
            for code in &codes {
                sums.entry((*code).to_string()).or_default();
            }
            sums
        };

        let mut cin7_balances = if self.has_ledger(id, System::Cin7)? {
            sums(self.ledger_days(id, System::Cin7, date)?)
        } else {
            BTreeMap::new()
        };
        if self.is_omni(id)? {
            // Omni's derived ledger is whole for COGS, and for inventory once it also holds
            // the COGS credits and every adjustment (see `cin7::omni::ledger`): the other
            // accounts' Cin7 side is unknown, not zero.
            let known = omni_known_accounts(accounts);
            cin7_balances.retain(|code, _| known.contains(&code.as_str()));
        }

        let (xero_source, xero_balances) = match self.xero_path(connection, id)? {
            XeroSource::Journals => {
                (XeroSource::Journals, sums(self.ledger_days(id, System::Xero, date)?))
            }
            XeroSource::TrialBalance => {
                let mut rows =
                    self.trial_balances(id, date, date)?.remove(&date).unwrap_or_default();
                let any = !rows.is_empty();
                if year_start.is_none() {
                    // Xero's trial balance shows P&L accounts year to date; without the year's
                    // start the Cin7 side cannot be cut the same way, so they have no figure.
                    rows.retain(|code, _| !profit_and_loss.contains(code.as_str()));
                }
                let source = if any { XeroSource::TrialBalance } else { XeroSource::Unavailable };
                (source, rows)
            }
            XeroSource::Unavailable => (XeroSource::Unavailable, BTreeMap::new()),
        };

        let until = day_end(date, timezone);
        let previous_report = self.previous_report(id, date)?;
        let since =
            previous_report.map_or_else(|| until - Duration::hours(24), |p| day_end(p, timezone));
        let window = FindingWindow { previous_report, since, until };
        let (new_findings, resolved_findings) = self.finding_events(id, &window)?;

        Ok(ReportInput {
            connection: connection.to_string(),
            accounts: accounts.clone(),
            xero_source,
            year_start,
            cin7_balances,
            xero_balances,
            open_findings: self.open_findings(id)?,
            new_findings,
            resolved_findings,
            window,
            xero_invoice_months: self.xero_invoice_months(connection, id, date)?,
            api_calls: self.api_calls(id, until - Duration::hours(24), until)?,
        })
    }

    /// The id of the connection named `connection`.
    pub(super) fn connection_id(&self, connection: &str) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT id FROM connections WHERE name = ?1", [connection], |row| row.get(0))
            .optional()
            .map_err(StoreError::query("finding the connection"))?
            .ok_or_else(|| StoreError::UnknownConnection {
                path: self.path.clone(),
                name: connection.to_string(),
            })
    }

    pub(super) fn has_ledger(&self, id: i64, system: System) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM ledger_lines WHERE connection_id = ?1 AND system = ?2
                     AND (system = 'xero' OR {CIN7_FEED}))"
                ),
                params![id, system.as_str()],
                |row| row.get(0),
            )
            .map_err(StoreError::query("checking for ledger lines"))
    }

    /// Where Xero balances come from: Journals while the endpoint is available and has been
    /// synced (or has lines); the trial balance when Xero refused Journals; otherwise
    /// nowhere.
    pub(super) fn xero_path(&self, connection: &str, id: i64) -> Result<XeroSource, StoreError> {
        let journals = self.endpoint_state(connection, System::Xero, "Journals")?;
        Ok(if !journals.available {
            XeroSource::TrialBalance
        } else if journals.last_success_at.is_some() || self.has_ledger(id, System::Xero)? {
            XeroSource::Journals
        } else {
            XeroSource::Unavailable
        })
    }

    /// The Xero organisation's financial year end `(day, month)`, when it is synced.
    pub(super) fn year_end(&self, id: i64) -> Result<Option<(u32, u32)>, StoreError> {
        let end: Option<(Option<u32>, Option<u32>)> = self
            .conn
            .query_row(
                "SELECT financial_year_end_day, financial_year_end_month FROM organisation
                 WHERE connection_id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(StoreError::query("reading the financial year end"))?;
        Ok(end.and_then(|(day, month)| day.zip(month)))
    }

    /// `system`'s counted ledger lines dated on or before `until`, summed per account and day
    /// (in Rust, as `Decimal`: SQLite would sum the TEXT amounts as floating point).
    pub(super) fn ledger_days(
        &self,
        id: i64,
        system: System,
        until: NaiveDate,
    ) -> Result<LedgerDays, StoreError> {
        let load = || -> rusqlite::Result<LedgerDays> {
            // Cin7 postings are stored twice: with their sale, purchase or task detail and in
            // the transactions feed. Balances count the feed only.
            let mut stmt = self.conn.prepare(&format!(
                "SELECT account_code, date, amount FROM ledger_lines
                 WHERE connection_id = ?1 AND system = ?2 AND date <= ?3
                 AND (system = 'xero' OR {CIN7_FEED})"
            ))?;
            let mut rows = stmt.query(params![id, system.as_str(), until.to_string()])?;
            let mut days = LedgerDays::default();
            while let Some(row) = rows.next()? {
                let code: String = row.get(0)?;
                let date: String = row.get(1)?;
                let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                    .map_err(|_| corrupt("ledger date", &date))?;
                days.add(&code, date, decimal(&row.get::<_, String>(2)?)?);
            }
            Ok(days)
        };
        load().map_err(StoreError::query("summing ledger lines for the report"))
    }

    /// Stored trial balances as at `from` to `to`, by as-at date and account code.
    pub(super) fn trial_balances(
        &self,
        id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<NaiveDate, BTreeMap<String, Decimal>>, StoreError> {
        let load = || -> rusqlite::Result<BTreeMap<NaiveDate, BTreeMap<String, Decimal>>> {
            let mut stmt = self.conn.prepare(
                "SELECT as_at, account_code, balance FROM trial_balances
                 WHERE connection_id = ?1 AND as_at >= ?2 AND as_at <= ?3",
            )?;
            let mut rows = stmt.query(params![id, from.to_string(), to.to_string()])?;
            let mut balances: BTreeMap<NaiveDate, BTreeMap<String, Decimal>> = BTreeMap::new();
            while let Some(row) = rows.next()? {
                let as_at: String = row.get(0)?;
                let as_at = NaiveDate::parse_from_str(&as_at, "%Y-%m-%d")
                    .map_err(|_| corrupt("trial balance date", &as_at))?;
                let code: String = row.get(1)?;
                let balance = decimal(&row.get::<_, String>(2)?)?;
                balances.entry(as_at).or_default().insert(code.trim().to_string(), balance);
            }
            Ok(balances)
        };
        load().map_err(StoreError::query("reading trial balances for the report"))
    }

    fn previous_report(&self, id: i64, date: NaiveDate) -> Result<Option<NaiveDate>, StoreError> {
        let found: Option<String> = self
            .conn
            .query_row(
                "SELECT max(report_date) FROM reports WHERE connection_id = ?1 AND report_date < ?2",
                params![id, date.to_string()],
                |row| row.get(0),
            )
            .map_err(StoreError::query("finding the previous report"))?;
        found
            .map(|text| {
                NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| StoreError::Query {
                    context: "finding the previous report",
                    source: corrupt("report date", &text),
                })
            })
            .transpose()
    }

    fn open_findings(&self, id: i64) -> Result<Vec<OpenFinding>, StoreError> {
        let load = || -> rusqlite::Result<Vec<OpenFinding>> {
            let mut stmt = self.conn.prepare(
                "SELECT id, kind, severity, cin7_ref, xero_ref, account_code, amount, message, date
                 FROM findings WHERE connection_id = ?1 AND resolved_at IS NULL ORDER BY id",
            )?;
            let mut rows = stmt.query([id])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(OpenFinding {
                    id: row.get(0)?,
                    kind: row.get(1)?,
                    severity: row.get(2)?,
                    cin7_ref: row.get(3)?,
                    xero_ref: row.get(4)?,
                    account_code: row.get(5)?,
                    amount: row.get::<_, Option<String>>(6)?.as_deref().map(decimal).transpose()?,
                    other_accounts: Vec::new(),
                    message: row.get(7)?,
                    date: row
                        .get::<_, Option<String>>(8)?
                        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                });
            }
            // The further accounts of findings told on more than one (`out` is in `id` order);
            // a store not yet migrated to 0008 (read-only) has none.
            if !self.has_table("finding_accounts")? {
                return Ok(out);
            }
            let mut stmt = self.conn.prepare(
                "SELECT f.id, a.account_code, a.amount
                 FROM findings f JOIN finding_accounts a ON a.finding_id = f.id
                 WHERE f.connection_id = ?1 AND f.resolved_at IS NULL
                   AND a.account_code IS NOT f.account_code
                 ORDER BY f.id, a.account_code",
            )?;
            let mut rows = stmt.query([id])?;
            while let Some(row) = rows.next()? {
                let finding: i64 = row.get(0)?;
                if let Ok(at) = out.binary_search_by_key(&finding, |f| f.id) {
                    out[at].other_accounts.push((row.get(1)?, decimal(&row.get::<_, String>(2)?)?));
                }
            }
            Ok(out)
        };
        load().map_err(StoreError::query("reading open findings for the report"))
    }

    /// Findings opened (or re-opened) and resolved in the window, each finding once per list
    /// (its latest event), oldest first.
    fn finding_events(
        &self,
        id: i64,
        window: &FindingWindow,
    ) -> Result<(Vec<FindingNote>, Vec<FindingNote>), StoreError> {
        let load = || -> rusqlite::Result<(Vec<FindingNote>, Vec<FindingNote>)> {
            let mut stmt = self.conn.prepare(
                "SELECT f.id, f.kind, f.severity, f.cin7_ref, f.xero_ref, f.account_code, f.amount,
                        f.message, e.at, e.event
                 FROM finding_events e JOIN findings f ON f.id = e.finding_id
                 WHERE f.connection_id = ?1 AND e.at >= ?2 AND e.at < ?3
                 ORDER BY e.at, f.id",
            )?;
            let mut rows =
                stmt.query(params![id, timestamp(window.since), timestamp(window.until)])?;
            let (mut new, mut resolved): (BTreeMap<i64, FindingNote>, BTreeMap<i64, FindingNote>) =
                Default::default();
            while let Some(row) = rows.next()? {
                let note = FindingNote {
                    id: row.get(0)?,
                    kind: row.get(1)?,
                    severity: row.get(2)?,
                    cin7_ref: row.get(3)?,
                    xero_ref: row.get(4)?,
                    account_code: row.get(5)?,
                    amount: row.get::<_, Option<String>>(6)?.as_deref().map(decimal).transpose()?,
                    message: row.get(7)?,
                    at: instant(&row.get::<_, String>(8)?)?,
                };
                match row.get::<_, String>(9)?.as_str() {
                    "resolved" => resolved.insert(note.id, note),
                    _ => new.insert(note.id, note),
                };
            }
            let sorted = |notes: BTreeMap<i64, FindingNote>| {
                let mut notes: Vec<FindingNote> = notes.into_values().collect();
                notes.sort_by_key(|n| (n.at, n.id));
                notes
            };
            Ok((sorted(new), sorted(resolved)))
        };
        load().map_err(StoreError::query("reading finding events for the report"))
    }

    /// Xero sales invoices and bills (every status but `DELETED`) per month of `date`'s
    /// calendar quarter, dated to `date`; `None` while the Invoices endpoint has never been
    /// synced and no Xero invoice is stored (no figure rather than zero).
    fn xero_invoice_months(
        &self,
        connection: &str,
        id: i64,
        date: NaiveDate,
    ) -> Result<Option<Vec<MonthCount>>, StoreError> {
        let synced = self.endpoint_state(connection, System::Xero, "Invoices")?.last_success_at;
        let load = || -> rusqlite::Result<Vec<MonthCount>> {
            let mut stmt = self.conn.prepare(
                "SELECT substr(date, 1, 7) AS month,
                        sum(doc_type = 'sales_invoice'), sum(doc_type = 'purchase_invoice')
                 FROM documents
                 WHERE connection_id = ?1 AND system = 'xero'
                   AND doc_type IN ('sales_invoice', 'purchase_invoice')
                   AND status <> 'DELETED' AND date >= ?2 AND date <= ?3
                 GROUP BY month ORDER BY month",
            )?;
            let mut rows =
                stmt.query(params![id, quarter_start(date).to_string(), date.to_string()])?;
            let mut months = Vec::new();
            while let Some(row) = rows.next()? {
                let month: String = row.get(0)?;
                months.push(MonthCount {
                    month: NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
                        .map_err(|_| corrupt("document date", &month))?,
                    sales_invoices: row.get(1)?,
                    bills: row.get(2)?,
                });
            }
            Ok(months)
        };
        let months = load().map_err(StoreError::query("counting Xero invoices for fair use"))?;
        Ok((synced.is_some() || !months.is_empty()).then_some(months))
    }

    /// Calls logged for the connection from `since` to `until`, per system (`xero` and
    /// `cin7` always, zero included), without limits.
    fn api_calls(
        &self,
        id: i64,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<CallCount>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT count(*), coalesce(sum(status IN (429, 503)), 0), min(day_remaining)
                 FROM api_calls
                 WHERE connection_id = ?1 AND system = ?2 AND started_at >= ?3 AND started_at < ?4",
            )
            .map_err(StoreError::query("counting API calls for the report"))?;
        [System::Xero, System::Cin7]
            .into_iter()
            .map(|system| {
                stmt.query_row(
                    params![id, system.as_str(), timestamp(since), timestamp(until)],
                    |row| {
                        Ok(CallCount {
                            system: system.as_str().to_string(),
                            calls: row.get(0)?,
                            rate_limited: row.get(1)?,
                            lowest_day_remaining: row.get(2)?,
                            limit: None,
                        })
                    },
                )
                .map_err(StoreError::query("counting API calls for the report"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LedgerEntry, LedgerLine, Payload, Record, TrialBalanceRow};
    use crate::report::compute;
    use crate::store::PageWrite;

    const EPOCH: DateTime<Utc> = DateTime::UNIX_EPOCH;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn accounts() -> AccountMap {
        AccountMap {
            inventory: "630".into(),
            cogs: Some("310".into()),
            revenue: None,
            grni: Some("815".into()),
            stock_in_transit: None,
            wip: None,
            inventory_discrepancy: None,
            supplier_deposits: None,
        }
    }

    use crate::store::test_store as store;

    #[test]
    fn an_omni_connection_has_an_inventory_figure_only_with_cogs_and_its_adjustment_account() {
        let mut map = accounts();
        assert_eq!(omni_known_accounts(&map), ["310"]);
        map.inventory_discrepancy = Some("660".into());
        assert_eq!(omni_known_accounts(&map), ["310", "630"]);
        map.cogs = None;
        assert!(omni_known_accounts(&map).is_empty());
    }

    /// One ledger entry: its id, date and `(account, amount)` lines.
    type Entry<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

    /// Writes one ledger entry per `(id, date, [(account, amount)])` for `system`.
    /// Stores the Xero organisation's financial year end (`day`, `month`) for connection 1.
    fn year_end(store: &Store, day: u32, month: u32) {
        store
            .conn
            .execute(
                "INSERT INTO organisation (connection_id, financial_year_end_day,
                     financial_year_end_month, updated_at) VALUES (1, ?1, ?2, 'x')",
                [day, month],
            )
            .unwrap();
    }

    fn ledger(store: &mut Store, system: System, entries: &[Entry<'_>]) {
        let records = entries
            .iter()
            .map(|(id, date, lines)| {
                let lines = lines
                    .iter()
                    .zip(0..)
                    .map(|((account, amount), line_no)| LedgerLine {
                        line_no,
                        date: day(date),
                        account_code: (*account).into(),
                        amount: d(amount),
                        description: None,
                    })
                    .collect();
                // Cin7 balances come from its transactions feed (source ids `transactions/…`).
                let id = if system == System::Cin7 {
                    format!("transactions/{id}")
                } else {
                    (*id).to_string()
                };
                let entry = LedgerEntry {
                    source_id: id.clone(),
                    journal_number: None,
                    source_type: None,
                    reference: None,
                    lines,
                };
                let record = Record {
                    external_id: id.clone(),
                    updated_at: None,
                    payload: Payload::Ledger(entry),
                };
                (record, format!("{{\"id\":\"{id}\"}}"))
            })
            .collect();
        let endpoint = match system {
            System::Xero => "Journals",
            System::Cin7 => "transactions",
        };
        let page = PageWrite::records("acme", system, endpoint, records);
        store.write_page(&page, EPOCH).unwrap();
    }

    fn load(store: &Store, date: &str) -> ReportInput {
        store
            .report_input("acme", &accounts(), Some("Australia/Sydney".parse().unwrap()), day(date))
            .unwrap()
    }

    #[test]
    fn ledger_lines_to_the_report_date_are_summed_exactly_per_account_on_each_side() {
        let (_dir, mut store) = store();
        ledger(
            &mut store,
            System::Cin7,
            &[
                ("c1", "2026-11-01", &[("630", "0.10"), ("815", "-0.10")]),
                ("c2", "2026-11-24", &[("630", "0.20"), ("815", "-0.20")]),
                ("c3", "2026-11-25", &[("630", "1000.00"), ("815", "-1000.00")]),
            ],
        );
        ledger(
            &mut store,
            System::Xero,
            &[("j1", "2026-11-02", &[("630", "0.10"), ("815", "-0.10")])],
        );
        store.finish_endpoint("acme", System::Xero, "Journals", None, EPOCH).unwrap();
        let input = load(&store, "2026-11-24");
        assert_eq!(input.xero_source, XeroSource::Journals);
        assert_eq!(input.cin7_balances["630"], d("0.30"), "exact, and the 25th is left out");
        assert_eq!(input.cin7_balances["630"].to_string(), "0.30");
        assert_eq!(input.cin7_balances["815"], d("-0.30"), "a credit account stays negative");
        assert_eq!(input.xero_balances["630"], d("0.10"));
        assert_eq!(input.cin7_balances["310"], Decimal::ZERO, "a mapped account without lines");
        assert_eq!(input.xero_balances["310"], Decimal::ZERO);
        let report = compute(&input, day("2026-11-24"));
        assert_eq!(report.accounts[0].variance, Some(d("0.20")));
        assert_eq!(report.accounts[2].variance, Some(d("-0.20")));
    }

    #[test]
    fn profit_and_loss_accounts_count_from_the_financial_year_start_and_balance_sheet_ones_do_not()
    {
        let (_dir, mut store) = store();
        year_end(&store, 30, 6);
        ledger(
            &mut store,
            System::Cin7,
            &[
                ("c1", "2026-06-30", &[("630", "-70.00"), ("310", "70.00")]),
                ("c2", "2026-07-01", &[("630", "-30.00"), ("310", "30.00")]),
            ],
        );
        ledger(&mut store, System::Xero, &[("j1", "2026-06-30", &[("310", "70.00")])]);
        let input = load(&store, "2026-11-24");
        assert_eq!(input.year_start, Some(day("2026-07-01")));
        assert_eq!(input.cin7_balances["630"], d("-100.00"), "inventory is cumulative");
        assert_eq!(input.cin7_balances["310"], d("30.00"), "COGS is this year's only");
        assert_eq!(input.xero_balances["310"], Decimal::ZERO, "on both sides");
        assert_eq!(load(&store, "2026-06-30").cin7_balances["310"], d("70.00"));
    }

    #[test]
    fn without_the_financial_year_a_trial_balance_gives_no_profit_and_loss_figure() {
        let (_dir, mut store) = store();
        store.set_endpoint_available("acme", System::Xero, "Journals", false).unwrap();
        let row = |code: &str, balance: &str| TrialBalanceRow {
            account_code: code.into(),
            account_name: None,
            balance: d(balance),
        };
        store
            .write_trial_balance(
                "acme",
                day("2026-11-24"),
                &[row("630", "5.00"), row("310", "9.00")],
                EPOCH,
            )
            .unwrap();
        let input = load(&store, "2026-11-24");
        assert_eq!(input.year_start, None);
        assert_eq!(input.xero_balances.get("630"), Some(&d("5.00")));
        assert_eq!(input.xero_balances.get("310"), None, "year to date cannot be matched");
    }

    #[test]
    fn refused_journals_take_the_trial_balance_as_at_exactly_the_report_date() {
        let (_dir, mut store) = store();
        store.set_endpoint_available("acme", System::Xero, "Journals", false).unwrap();
        let row = |code: &str, balance: &str| TrialBalanceRow {
            account_code: code.into(),
            account_name: None,
            balance: d(balance),
        };
        store
            .write_trial_balance("acme", day("2026-11-24"), &[row("630", "950.00")], EPOCH)
            .unwrap();
        store
            .write_trial_balance("acme", day("2026-11-23"), &[row("815", "-1.00")], EPOCH)
            .unwrap();
        let input = load(&store, "2026-11-24");
        assert_eq!(input.xero_source, XeroSource::TrialBalance);
        assert_eq!(input.xero_balances.get("630"), Some(&d("950.00")));
        assert_eq!(input.xero_balances.get("815"), None, "another date's row is not used");
        assert_eq!(load(&store, "2026-11-22").xero_source, XeroSource::Unavailable);
    }

    #[test]
    fn with_nothing_synced_neither_side_has_a_figure() {
        let (_dir, store) = store();
        let input = load(&store, "2026-11-24");
        assert_eq!(input.xero_source, XeroSource::Unavailable);
        assert!(input.cin7_balances.is_empty() && input.xero_balances.is_empty());
    }

    #[test]
    fn a_connection_the_store_has_never_seen_is_named_in_the_error() {
        let (_dir, store) = store();
        let err = store.report_input("beta", &accounts(), None, day("2026-11-24")).unwrap_err();
        assert!(matches!(err, StoreError::UnknownConnection { .. }), "{err}");
        assert!(err.to_string().contains("`beta`"), "{err}");
    }

    #[test]
    fn open_findings_and_the_events_since_the_previous_report_are_loaded() {
        let (_dir, store) = store();
        // Sydney is UTC+11: the 24th ends at 2026-11-24T13:00Z.
        store
            .conn
            .execute_batch(
                "INSERT INTO findings (id, connection_id, fingerprint, kind, severity, cin7_ref,
                     account_code, amount, message, first_seen, last_seen, resolved_at) VALUES
                 (1, 1, 'a', 'missing_in_xero', 'warning', 'INV-1', '630', '120.00', 'm1',
                  '2026-11-24T02:00:00.000Z', '2026-11-24T02:00:00.000Z', NULL),
                 (2, 1, 'b', 'amount_mismatch', 'error', 'INV-2', '630', '-5.50', 'm2',
                  '2026-11-20T02:00:00.000Z', '2026-11-20T02:00:00.000Z', NULL),
                 (3, 1, 'c', 'blank_cogs', 'warning', 'INV-3', '310', NULL, 'm3',
                  '2026-11-01T00:00:00.000Z', '2026-11-24T05:00:00.000Z', '2026-11-24T05:00:00.000Z'),
                 (4, 1, 'd', 'missing_in_xero', 'warning', 'INV-4', '630', '1.00', 'm4',
                  '2026-11-24T13:00:00.000Z', '2026-11-24T13:00:00.000Z', NULL);
                 INSERT INTO finding_events (finding_id, at, event) VALUES
                 (1, '2026-11-24T02:00:00.000Z', 'opened'),
                 (2, '2026-11-20T02:00:00.000Z', 'opened'),
                 (3, '2026-11-01T00:00:00.000Z', 'opened'),
                 (3, '2026-11-24T05:00:00.000Z', 'resolved'),
                 (4, '2026-11-24T13:00:00.000Z', 'opened');",
            )
            .unwrap();
        let input = load(&store, "2026-11-24");
        let kinds: Vec<&str> = input.open_findings.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(kinds, ["missing_in_xero", "amount_mismatch", "missing_in_xero"]);
        assert_eq!(input.open_findings[1].amount, Some(d("-5.50")));
        assert_eq!(input.window.previous_report, None);
        assert_eq!(timestamp(input.window.since), "2026-11-23T13:00:00.000Z");
        assert_eq!(timestamp(input.window.until), "2026-11-24T13:00:00.000Z");
        let ids = |notes: &[FindingNote]| notes.iter().map(|n| n.id).collect::<Vec<_>>();
        assert_eq!(ids(&input.new_findings), [1], "the 20th is too early, 13:00Z is the 25th");
        assert_eq!(ids(&input.resolved_findings), [3]);
        assert_eq!(input.new_findings[0].cin7_ref.as_deref(), Some("INV-1"));

        store
            .conn
            .execute(
                "INSERT INTO reports (connection_id, report_date, body_json, generated_at)
                 VALUES (1, '2026-11-19', '{}', '2026-11-20T00:00:00.000Z')",
                [],
            )
            .unwrap();
        let input = load(&store, "2026-11-24");
        assert_eq!(input.window.previous_report, Some(day("2026-11-19")));
        assert_eq!(timestamp(input.window.since), "2026-11-19T13:00:00.000Z");
        assert_eq!(ids(&input.new_findings), [2, 1], "since the previous report, oldest first");
    }

    /// An adjustment never pushed moves inventory and COGS: saved through the reconciler's
    /// path, its finding explains both accounts' variances, and saving it again on one
    /// account replaces what was stored.
    #[test]
    fn a_finding_on_two_accounts_explains_both_and_is_replaced_when_saved_again() {
        use crate::reconcile::{Finding, FindingKind, Outcome, Severity};
        let (_dir, mut store) = store();
        ledger(
            &mut store,
            System::Cin7,
            &[("c1", "2026-11-03", &[("630", "-35.83"), ("310", "35.83")])],
        );
        store.finish_endpoint("acme", System::Xero, "Journals", None, EPOCH).unwrap();
        let finding = |others: Vec<(String, Decimal)>| Finding {
            kind: FindingKind::MissingInXero,
            severity: Severity::Error,
            fingerprint: "fp".into(),
            cin7_ref: Some("SA-1".into()),
            xero_ref: None,
            account_code: Some("630".into()),
            amount: Some(d("-35.83")),
            other_accounts: others,
            date: Some(day("2026-11-03")),
            message: "m".into(),
        };
        let save = |store: &mut Store, others| {
            let outcome = Outcome { matches: vec![], findings: vec![finding(others)] };
            store.save_outcome("acme", &outcome, EPOCH).unwrap();
        };
        save(&mut store, vec![("310".into(), d("35.83"))]);
        let report = compute(&load(&store, "2026-11-24"), day("2026-11-24"));
        let rest: Vec<_> = report.accounts.iter().map(|a| (a.role, a.unexplained)).collect();
        assert_eq!(
            rest,
            [
                ("inventory", Some(Decimal::ZERO)),
                ("cogs", Some(Decimal::ZERO)),
                ("grni", Some(Decimal::ZERO))
            ]
        );
        assert!(report.unattributed.is_empty());

        save(&mut store, vec![]);
        let report = compute(&load(&store, "2026-11-24"), day("2026-11-24"));
        assert_eq!(report.accounts[0].unexplained, Some(Decimal::ZERO));
        assert_eq!(report.accounts[1].unexplained, Some(d("35.83")), "no longer on COGS");
        let rows = store.query("SELECT account_code, amount FROM finding_accounts").unwrap();
        assert_eq!(rows.rows.len(), 1, "{rows:?}");
    }

    fn trend_at(trend: &crate::report::Trend, role: &str, date: &str) -> Option<Decimal> {
        let i = trend.days.iter().position(|d| *d == day(date)).unwrap();
        trend.series.iter().find(|s| s.role == role).unwrap().variance[i]
    }

    #[test]
    fn the_trend_sums_each_side_cumulatively_and_ends_on_the_reports_own_variance() {
        let (_dir, mut store) = store();
        year_end(&store, 31, 10);
        ledger(
            &mut store,
            System::Cin7,
            &[
                ("c1", "2026-10-30", &[("630", "-70.00"), ("310", "70.00")]),
                ("c2", "2026-11-03", &[("630", "-30.00"), ("310", "30.00")]),
                ("c3", "2026-11-25", &[("630", "-9.00"), ("310", "9.00")]),
            ],
        );
        // The Cin7 copy of a posting held with its sale does not count.
        store
            .conn
            .execute(
                "INSERT INTO ledger_lines (connection_id, system, source_id, line_no, date,
                     account_code, amount) VALUES (1, 'cin7', 'sale/1', 0, '2026-11-03', '630', '-30.00')",
                [],
            )
            .unwrap();
        ledger(
            &mut store,
            System::Xero,
            &[("j1", "2026-10-30", &[("630", "-70.00"), ("310", "70.00")])],
        );
        let trend = store.trend("acme", &accounts(), day("2026-11-24")).unwrap();
        assert_eq!(trend.days.len(), 30);
        assert_eq!(trend_at(&trend, "inventory", "2026-11-02"), Some(Decimal::ZERO));
        assert_eq!(trend_at(&trend, "inventory", "2026-11-03"), Some(d("-30.00")));
        assert_eq!(trend_at(&trend, "cogs", "2026-10-31"), Some(Decimal::ZERO));
        assert_eq!(
            trend_at(&trend, "cogs", "2026-11-01"),
            Some(Decimal::ZERO),
            "a new financial year: both sides restart"
        );
        assert_eq!(trend_at(&trend, "cogs", "2026-11-24"), Some(d("30.00")));
        assert_eq!(trend_at(&trend, "grni", "2026-11-24"), Some(Decimal::ZERO));
        let report = compute(&load(&store, "2026-11-24"), day("2026-11-24"));
        for (account, series) in report.accounts.iter().zip(&trend.series) {
            assert_eq!(
                series.variance.last().copied().flatten(),
                account.variance,
                "{}",
                account.role
            );
        }
    }

    #[test]
    fn a_trial_balance_trend_has_gaps_on_days_without_one_and_no_cin7_ledger_means_no_figure() {
        let (_dir, mut store) = store();
        store.set_endpoint_available("acme", System::Xero, "Journals", false).unwrap();
        let row = |code: &str, balance: &str| TrialBalanceRow {
            account_code: code.into(),
            account_name: None,
            balance: d(balance),
        };
        for (date, balance) in
            [("2026-10-31", "90.00"), ("2026-11-24", "95.00"), ("2026-10-01", "1.00")]
        {
            store.write_trial_balance("acme", day(date), &[row("630", balance)], EPOCH).unwrap();
        }
        let trend = store.trend("acme", &accounts(), day("2026-11-24")).unwrap();
        assert!(trend.is_empty(), "no Cin7 ledger: no variance on any day, not zero");
        ledger(&mut store, System::Cin7, &[("c1", "2026-10-01", &[("630", "100.00")])]);
        let trend = store.trend("acme", &accounts(), day("2026-11-24")).unwrap();
        assert_eq!(trend_at(&trend, "inventory", "2026-10-31"), Some(d("10.00")));
        assert_eq!(trend_at(&trend, "inventory", "2026-11-24"), Some(d("5.00")));
        assert_eq!(trend_at(&trend, "inventory", "2026-11-23"), None);
        let figures = trend.series[0].variance.iter().flatten().count();
        assert_eq!(figures, 2, "the 1 October balance is outside the window");
        assert_eq!(trend_at(&trend, "grni", "2026-11-24"), None, "no trial-balance row");
    }

    #[test]
    fn fair_use_counts_xero_invoices_and_bills_by_month_of_the_quarter_and_calls_by_system() {
        let (_dir, store) = store();
        assert_eq!(load(&store, "2026-11-24").xero_invoice_months, None, "never synced");
        store
            .conn
            .execute_batch(
                "INSERT INTO documents (connection_id, system, doc_type, external_id, status, date) VALUES
                 (1, 'xero', 'sales_invoice', 'a', 'AUTHORISED', '2026-10-05'),
                 (1, 'xero', 'sales_invoice', 'b', 'PAID', '2026-11-24'),
                 (1, 'xero', 'purchase_invoice', 'c', 'DRAFT', '2026-11-01'),
                 (1, 'xero', 'sales_invoice', 'd', 'DELETED', '2026-11-02'),
                 (1, 'xero', 'sales_invoice', 'e', 'PAID', '2026-11-25'),
                 (1, 'xero', 'sales_invoice', 'f', 'PAID', '2026-09-30'),
                 (1, 'xero', 'sales_credit_note', 'g', 'PAID', '2026-11-03'),
                 (1, 'cin7', 'sales_invoice', 'h', 'AUTHORISED', '2026-11-03');
                 INSERT INTO api_calls (connection_id, system, endpoint, method, status, started_at,
                     duration_ms, day_remaining) VALUES
                 (1, 'xero', '/Invoices', 'GET', 200, '2026-11-23T13:00:00.000Z', 5, 4000),
                 (1, 'xero', '/Invoices', 'GET', 429, '2026-11-24T12:59:59.999Z', 5, 3990),
                 (1, 'xero', '/Invoices', 'GET', 200, '2026-11-24T13:00:00.000Z', 5, 1),
                 (1, 'xero', '/Invoices', 'GET', 200, '2026-11-23T12:59:59.999Z', 5, 2),
                 (1, 'cin7', '/sale', 'GET', 503, '2026-11-24T01:00:00.000Z', 5, NULL);",
            )
            .unwrap();
        let input = load(&store, "2026-11-24");
        let months = input.xero_invoice_months.clone().unwrap();
        let counts: Vec<(String, u32, u32)> =
            months.iter().map(|m| (m.month.to_string(), m.sales_invoices, m.bills)).collect();
        assert_eq!(counts, [("2026-10-01".into(), 1, 0), ("2026-11-01".into(), 1, 1)]);
        let calls: Vec<(&str, u32, u32, Option<i64>)> = input
            .api_calls
            .iter()
            .map(|c| (c.system.as_str(), c.calls, c.rate_limited, c.lowest_day_remaining))
            .collect();
        assert_eq!(calls, [("xero", 2, 1, Some(3990)), ("cin7", 1, 1, None)]);
        let report = compute(&input, day("2026-11-24"));
        assert_eq!(report.fair_use.unwrap().quarter_average, d("1.5"));
        assert_eq!(report.api_budget.systems[0].remaining, None, "no limits given");
    }
}
