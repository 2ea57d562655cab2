import type { ErrorCode } from './errors';
import type { Language } from './values';

/** What a user reads for each code, in both product languages. The PWA may show these offline. */
export const errorMessages: Record<ErrorCode, Record<Language, string>> = {
  VALIDATION_FAILED: { es: 'Algunos datos no son válidos.', en: 'Some fields are not valid.' },
  MALFORMED_JSON: { es: 'La solicitud no es JSON válido.', en: 'The request is not valid JSON.' },
  PAYLOAD_TOO_LARGE: { es: 'La solicitud es demasiado grande.', en: 'The request is too large.' },
  BAD_CURSOR: { es: 'El cursor de paginación no es válido.', en: 'The pagination cursor is not valid.' },
  UNAUTHENTICATED: { es: 'Inicie sesión para continuar.', en: 'Please log in to continue.' },
  INVALID_CREDENTIALS: { es: 'Correo o clave incorrectos.', en: 'Wrong e-mail or password.' },
  EMAIL_NOT_VERIFIED: {
    es: 'Confirme su correo electrónico con el enlace que le enviamos.',
    en: 'Please confirm your e-mail with the link we sent you.',
  },
  ACCOUNT_DISABLED: { es: 'Esta cuenta está desactivada.', en: 'This account is disabled.' },
  INVALID_TOKEN: { es: 'El enlace no es válido o ha caducado.', en: 'The link is not valid or has expired.' },
  FORBIDDEN: { es: 'No tiene permiso para hacer esto.', en: 'You are not allowed to do this.' },
  NOT_FOUND: { es: 'No encontrado.', en: 'Not found.' },
  TICKET_NOT_FOUND: { es: 'No existe ese ticket o no tiene acceso a él.', en: 'No such ticket, or no access to it.' },
  EMAIL_TAKEN: { es: 'Ya existe una cuenta con ese correo.', en: 'An account with that e-mail already exists.' },
  VERSION_CONFLICT: {
    es: 'Otra persona modificó el ticket; recargue para ver los cambios.',
    en: 'Someone else changed the ticket; reload to see the changes.',
  },
  INVALID_TRANSITION: {
    es: 'Ese cambio de estado no es posible.',
    en: 'That status change is not possible.',
  },
  TRANSITION_NOT_ALLOWED: {
    es: 'Su rol no permite ese cambio de estado.',
    en: 'Your role does not allow that status change.',
  },
  TICKET_DELETED: { es: 'El ticket fue eliminado.', en: 'The ticket was deleted.' },
  REFERENCE_NOT_FOUND: {
    es: 'Un dato relacionado no existe (departamento, equipo, contrato o usuario).',
    en: 'A related record does not exist (department, equipment, contract or user).',
  },
  VALUE_OUT_OF_RANGE: {
    es: 'El campo {field} debe estar entre {min} y {max}.',
    en: '{field} must be between {min} and {max}.',
  },
  CROSS_SITE_REQUEST_REFUSED: {
    es: 'Solicitud rechazada: no vino de esta aplicación. Ábrala de nuevo desde su dirección.',
    en: 'Request refused: it did not come from this app. Open the app again from its address.',
  },
  RATE_LIMITED: {
    es: 'Demasiados intentos. Espere unos minutos.',
    en: 'Too many attempts. Please wait a few minutes.',
  },
  WEAK_PASSWORD: {
    es: 'Esa clave es demasiado fácil de adivinar: es muy común o solo tiene espacios. Elija otra.',
    en: 'That password is too easy to guess: it is very common or only spaces. Choose another one.',
  },
  SERVER_BUSY: {
    es: 'El servicio está muy ocupado. Inténtelo de nuevo en unos segundos.',
    en: 'The service is very busy. Please try again in a few seconds.',
  },
  DATABASE_UNAVAILABLE: {
    es: 'El servicio no está disponible en este momento.',
    en: 'The service is not available right now.',
  },
  SYNC_RESET_REQUIRED: {
    es: 'Los datos del dispositivo son muy antiguos: se descargarán de nuevo. Sus cambios pendientes se conservan.',
    en: 'The data on this device is too old: it will be downloaded again. Your pending changes are kept.',
  },
  MUTATION_OUT_OF_ORDER: {
    es: 'Los cambios llegaron fuera de orden; se reenviarán.',
    en: 'Changes arrived out of order; they will be sent again.',
  },
  CLIENT_UPGRADE_REQUIRED: {
    es: 'Hay una nueva versión de la aplicación. Actualícela para sincronizar; sus cambios se conservan.',
    en: 'A new version of the app is available. Update it to sync; your changes are kept.',
  },
  ATTACHMENT_HASH_MISMATCH: {
    es: 'El archivo enviado no es el que se adjuntó.',
    en: 'The file sent is not the one that was attached.',
  },
  ATTACHMENT_CORRUPTED: {
    es: 'El archivo llegó dañado; se enviará de nuevo.',
    en: 'The file arrived damaged; it will be sent again.',
  },
  UPLOAD_OFFSET_MISMATCH: {
    es: 'La subida se reanudará desde donde quedó.',
    en: 'The upload will resume from where it stopped.',
  },
  TOO_MANY_UPLOADS: {
    es: 'Ya se están subiendo varios archivos suyos; este seguirá en cuanto termine uno.',
    en: 'Several of your files are already uploading; this one will follow as soon as one finishes.',
  },
  UPLOAD_QUOTA_EXCEEDED: {
    es: 'Alcanzó el límite de archivos subidos por hoy; los pendientes se enviarán mañana.',
    en: "You reached today's upload limit; pending files will be sent tomorrow.",
  },
  INTERNAL: { es: 'Error interno. Ya lo registramos.', en: 'Internal error. It has been logged.' },
};

/**
 * The message for a code; `{name}` in it is filled from the error's details (a field name, a range), so
 * a user reads which field was wrong in their language. A placeholder without a value stays as written.
 */
export const messageFor = (code: ErrorCode, language: Language, details?: unknown): string =>
  errorMessages[code][language].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = details && typeof details === 'object' ? (details as Record<string, unknown>)[name] : undefined;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : whole;
  });
