"""Outside services behind small interfaces: Cognito users, the CURP registry, partners' secrets, video rooms and KMS
(record keys, sealed texts). The store holds table access only."""
