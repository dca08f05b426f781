-- 0003: what customer sync and the grantor look things up by.

-- Marking removed customers after a full listing: the partner's listed rows not seen since the
-- sync started (`last_seen_at < sync start`). Partial, so removed rows cost nothing here.
CREATE INDEX customers_partner_listed ON customers (partner_id, last_seen_at) WHERE removed_at IS NULL;

-- The MS-CorrelationId of the customer's latest DELETE+POST pair, to find its calls in the audit
-- trail and in Microsoft's logs without scanning.
ALTER TABLE customer_consents ADD COLUMN last_correlation_id uuid;
