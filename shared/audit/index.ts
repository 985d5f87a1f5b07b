/** ATNA audit (ITI-20): message builder, syslog transports, durable outbox and the Auditor. */
export * from './auditMessage';
export * from './syslog';
export * from './outbox';
