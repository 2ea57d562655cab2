/**
 * One enum of error codes shared by the API and the PWA. The PWA branches on
 * `code`, never on the HTTP status or the message text.
 */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  MALFORMED_JSON: 'MALFORMED_JSON',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  BAD_CURSOR: 'BAD_CURSOR',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  EMAIL_NOT_VERIFIED: 'EMAIL_NOT_VERIFIED',
  ACCOUNT_DISABLED: 'ACCOUNT_DISABLED',
  INVALID_TOKEN: 'INVALID_TOKEN',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  TICKET_NOT_FOUND: 'TICKET_NOT_FOUND',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  VERSION_CONFLICT: 'VERSION_CONFLICT',
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  TRANSITION_NOT_ALLOWED: 'TRANSITION_NOT_ALLOWED',
  TICKET_DELETED: 'TICKET_DELETED',
  REFERENCE_NOT_FOUND: 'REFERENCE_NOT_FOUND',
  /** A number outside its documented range; details: { field, min, max }. */
  VALUE_OUT_OF_RANGE: 'VALUE_OUT_OF_RANGE',
  /** A state-changing request sent by another site's page (Origin / Sec-Fetch-Site); details.origin. */
  CROSS_SITE_REQUEST_REFUSED: 'CROSS_SITE_REQUEST_REFUSED',
  RATE_LIMITED: 'RATE_LIMITED',
  /** A password that is very common (in leaked-password lists) or only whitespace; details.issues names the field. */
  WEAK_PASSWORD: 'WEAK_PASSWORD',
  /** Too much work is queued (e.g. password hashing): try again after details.retryAfterSeconds. */
  SERVER_BUSY: 'SERVER_BUSY',
  /** Sync: the device's cookie is too old (or from another schema): pull everything again, keep the queue. */
  SYNC_RESET_REQUIRED: 'SYNC_RESET_REQUIRED',
  /** Sync: mutations must arrive in id order; details.expected is the next id the server wants. */
  MUTATION_OUT_OF_ORDER: 'MUTATION_OUT_OF_ORDER',
  /** Sync: the app is older (or newer) than the server's protocol: update it, the queue is kept. */
  CLIENT_UPGRADE_REQUIRED: 'CLIENT_UPGRADE_REQUIRED',
  /** Upload: x-content-sha256 is not the hash the attachment was announced with (another file?). */
  ATTACHMENT_HASH_MISMATCH: 'ATTACHMENT_HASH_MISMATCH',
  /** Upload: the bytes received do not hash to the announced sha256; nothing was kept, send them again from 0. */
  ATTACHMENT_CORRUPTED: 'ATTACHMENT_CORRUPTED',
  /** Upload: a chunk must start where the server's copy ends; details.received is that offset. */
  UPLOAD_OFFSET_MISMATCH: 'UPLOAD_OFFSET_MISMATCH',
  /** Upload: this user already sends details.maxConcurrent files at once; retry when one ends. */
  TOO_MANY_UPLOADS: 'TOO_MANY_UPLOADS',
  /** Upload: this user sent details.limitBytes today (UTC); details.retryAfterSeconds until the next day. */
  UPLOAD_QUOTA_EXCEEDED: 'UPLOAD_QUOTA_EXCEEDED',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 422 | 426 | 429 | 500 | 503;

/** The one code → HTTP status map. */
export const errorStatus: Record<ErrorCode, ErrorStatus> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  BAD_CURSOR: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  EMAIL_NOT_VERIFIED: 403,
  ACCOUNT_DISABLED: 403,
  INVALID_TOKEN: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  VERSION_CONFLICT: 409,
  INVALID_TRANSITION: 422,
  TRANSITION_NOT_ALLOWED: 403,
  TICKET_DELETED: 410,
  REFERENCE_NOT_FOUND: 422,
  RATE_LIMITED: 429,
  WEAK_PASSWORD: 422,
  SERVER_BUSY: 503,
  SYNC_RESET_REQUIRED: 410,
  VALUE_OUT_OF_RANGE: 422,
  CROSS_SITE_REQUEST_REFUSED: 403,
  MUTATION_OUT_OF_ORDER: 409,
  CLIENT_UPGRADE_REQUIRED: 426,
  ATTACHMENT_HASH_MISMATCH: 409,
  ATTACHMENT_CORRUPTED: 422,
  UPLOAD_OFFSET_MISMATCH: 409,
  TOO_MANY_UPLOADS: 429,
  UPLOAD_QUOTA_EXCEEDED: 429,
  DATABASE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** The wire shape of every API error. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown; requestId: string };
}

/**
 * The typed error both sides throw. `details` carries machine-readable context
 * (e.g. the failing fields, or the from/to states of a refused transition).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? code);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
