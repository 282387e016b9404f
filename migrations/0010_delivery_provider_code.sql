-- The provider's own status code for a delivery's last failure (Solapi's four digits, Twilio's
-- error number), beside our reason: the delivery report shows and explains it, and staff can
-- quote it to the provider. NULL where the provider gave none.
ALTER TABLE deliveries ADD COLUMN provider_code TEXT;
