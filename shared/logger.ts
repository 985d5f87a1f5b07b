/**
 * Structured JSON logs (winston). Never log patient ids, document content or metadata values:
 * log transaction names, counts, sizes, durations, error codes and the correlation id.
 */
import winston from 'winston';

export type Logger = winston.Logger;

export function createLogger(service: string, level = process.env.LOG_LEVEL || 'info'): Logger {
  return winston.createLogger({
    level: process.env.NODE_ENV === 'test' && !process.env.LOG_LEVEL ? 'error' : level,
    defaultMeta: { service },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}
