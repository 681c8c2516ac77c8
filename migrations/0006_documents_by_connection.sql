-- Reconciliation reads one connection's documents and their lines in document id order. With
-- only the (connection_id, number) index SQLite found them through it and then sorted every
-- document, and every line, in a temporary b-tree (minutes of a million-document load); an
-- index on connection_id alone is kept in id order within a connection, so both reads are
-- walks in order with no sort.
CREATE INDEX documents_by_connection ON documents (connection_id);
