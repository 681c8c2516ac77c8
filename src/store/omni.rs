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
