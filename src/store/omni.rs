//! What the store does for Cin7 Omni alone: payments named by the document they pay once the
//! stored orders say which that is (see `cin7::omni::normalise`).

use rusqlite::params;

use super::{Store, StoreError};
use crate::model::{DocType, Document};

impl Store {
    /// Sets the `reference` and `status` of `connection`'s stored Cin7 payment documents to
    /// those of `payments` (matched by external id), in one transaction. Returns how many rows
    /// changed; a payment not stored is skipped.
    pub fn update_payment_references(
        &mut self,
        connection: &str,
        payments: &[Document],
    ) -> Result<usize, StoreError> {
        let err = || StoreError::query("updating Cin7 Omni payments");
        let tx = self.conn.transaction().map_err(err())?;
        let id = super::pages::connection_id(&tx, connection).map_err(err())?;
        let mut changed = 0;
        {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE documents SET reference = ?4, status = ?5
                     WHERE connection_id = ?1 AND system = 'cin7' AND doc_type = ?2
                       AND external_id = ?3 AND (reference IS NOT ?4 OR status IS NOT ?5)",
                )
                .map_err(err())?;
            for payment in payments.iter().filter(|p| p.doc_type == DocType::Payment) {
                changed += stmt
                    .execute(params![
                        id,
                        DocType::Payment.as_str(),
                        payment.external_id,
                        payment.reference,
                        payment.status
                    ])
                    .map_err(err())?;
            }
        }
        tx.commit().map_err(err())?;
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use serde_json::json;

    use crate::cin7::omni::normalise::{self, Endpoint, PaidOrders};
    use crate::model::{Document, Payload, System};
    use crate::store::{PageWrite, test_store};

    fn payment(raw: &serde_json::Value, orders: &PaidOrders) -> Document {
        normalise::payment_with(raw, orders).unwrap()
    }

    #[test]
    fn a_stored_payment_takes_the_number_of_the_order_it_pays_once_and_only_when_it_changes() {
        let (_dir, mut store) = test_store();
        let raw = json!({ "id": 7, "amount": 10, "isAuthorized": true, "paymentDate": "2026-03-01T00:00:00Z",
                          "orderId": 5, "orderType": "SalesOrder", "orderRef": "SO-5" });
        let record = normalise::record(Endpoint::Payments, &raw).unwrap();
        assert!(
            matches!(&record.payload, Payload::Document(d) if d.reference.as_deref() == Some("SO-5"))
        );
        let page = PageWrite {
            connection: "acme",
            system: System::Cin7,
            endpoint: "Payments",
            records: vec![(record, raw.to_string())],
            quarantined: Vec::new(),
            cursor: None,
        };
        store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
        let mut orders = PaidOrders::default();
        orders.add(
            Endpoint::SalesOrders,
            &json!({ "id": 5, "reference": "SO-5", "invoiceNumber": "INV-9" }),
        );
        let named = payment(&raw, &orders);
        assert_eq!(
            store.update_payment_references("acme", std::slice::from_ref(&named)).unwrap(),
            1
        );
        assert_eq!(store.update_payment_references("acme", &[named]).unwrap(), 0, "unchanged");
        let stored: (String, String) = store
            .conn
            .query_row(
                "SELECT reference, status FROM documents WHERE external_id = 'Payments/7'",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!(stored, ("INV-9".to_string(), "AUTHORISED".to_string()));
    }
}
