/** Mutual TLS (ATNA ITI-19): development PKI and TLS option helpers. */
export * from './pki';
export * from './tls';
