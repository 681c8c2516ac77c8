-- The sales channel a Cin7 document came from (`SourceChannel`: Shopify, B2B, API…), so a
-- connection can name channels Cin7 is told not to export to Xero. NULL for Xero documents
-- and for Cin7 documents stored before this column existed (until their next re-read).
ALTER TABLE documents ADD COLUMN channel TEXT;
