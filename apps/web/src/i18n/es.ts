/**
 * Spanish is the source dictionary: its keys define `MessageKey`, and every other
 * language must provide exactly the same keys (see `Messages`).
 * `{name}` placeholders are filled by `t(key, { name })`.
 */
export const es = {
  'app.name': 'Mesa de ayuda',
  'app.skipToContent': 'Saltar al contenido',
  'app.mainNav': 'Navegación principal',
  'app.language': 'Idioma',
  'app.loading': 'Cargando…',
  'app.offline': 'No hay conexión con el servidor; algunos datos pueden no estar al día.',
  'app.updateAvailable': 'Hay una nueva versión disponible.',
  'app.updateNow': 'Actualizar',
  'app.offlineReady': 'La aplicación ya está lista para usarse sin conexión.',
  'app.dismiss': 'Cerrar aviso',
  'app.retry': 'Reintentar',
  'app.backHome': 'Volver al inicio',
  'app.notFound': 'Página no encontrada',

  'nav.newTicket': 'Abrir un ticket',
  'nav.myTickets': 'Mis tickets',
  'nav.queue': 'Cola',
  'nav.login': 'Iniciar sesión',
  'nav.register': 'Crear cuenta',
  'nav.logout': 'Cerrar sesión',

  'error.network': 'No se pudo conectar con el servidor. Revise su conexión e intente de nuevo.',
  'error.unexpected': 'Ocurrió un error inesperado. Intente de nuevo.',
  'error.reference': 'Referencia: {id}',

  'home.title': 'Bienvenido a la mesa de ayuda',
  'home.greeting': 'Hola, {name}.',
  'home.intro': 'Reporte incidencias y siga el estado de sus casos.',
  'home.guest': 'Inicie sesión o cree una cuenta para abrir tickets.',

  'auth.name': 'Nombre completo',
  'auth.email': 'Correo electrónico',
  'auth.password': 'Clave',
  'auth.newPassword': 'Nueva clave',
  'auth.confirmPassword': 'Repita la clave',
  'auth.passwordHint': 'Mínimo 8 caracteres.',
  'auth.passwordMismatch': 'Las claves no coinciden.',
  'auth.language': 'Idioma preferido',
  'auth.goToLogin': 'Ir a iniciar sesión',

  'login.title': 'Iniciar sesión',
  'login.submit': 'Entrar',
  'login.forgot': '¿Olvidó su clave?',
  'login.noAccount': '¿No tiene cuenta?',

  'register.title': 'Crear cuenta',
  'register.submit': 'Crear cuenta',
  'register.haveAccount': '¿Ya tiene cuenta?',
  'register.checkEmailTitle': 'Revise su correo',
  'register.checkEmail': 'Enviamos un enlace de confirmación a {email}. Ábralo para activar su cuenta.',

  'verify.title': 'Confirmar correo',
  'verify.working': 'Confirmando su correo…',
  'verify.done': 'Su correo quedó confirmado.',
  'verify.missingToken': 'El enlace no incluye el código de confirmación. Ábralo de nuevo desde su correo.',

  'forgot.title': 'Recuperar clave',
  'forgot.intro': 'Escriba su correo y le enviaremos un enlace para crear una nueva clave.',
  'forgot.submit': 'Enviar enlace',
  'forgot.sent': 'Si existe una cuenta con ese correo, recibirá un enlace en unos minutos.',

  'reset.title': 'Crear nueva clave',
  'reset.submit': 'Guardar clave',
  'reset.missingToken': 'Este enlace no es válido. Pida uno nuevo:',
  'reset.done': 'Su clave fue cambiada. Ya puede iniciar sesión.',

  'tickets.title': 'Mis tickets',
  'tickets.queueTitle': 'Cola de tickets',
  'tickets.allStatuses': 'Todos',
  'tickets.empty': 'No hay tickets.',
  'tickets.loadMore': 'Cargar más',

  'ticket.number': 'Número',
  'ticket.subject': 'Asunto',
  'ticket.description': 'Descripción',
  'ticket.status': 'Estado',
  'ticket.priority': 'Prioridad',
  'ticket.severity': 'Severidad',
  'ticket.urgency': 'Urgencia',
  'ticket.department': 'Departamento',
  'ticket.requester': 'Solicitante',
  'ticket.cc': 'Con copia a',
  'ticket.created': 'Creado',
  'ticket.updated': 'Actualizado',
  'ticket.firstResponseDue': 'Primera respuesta antes de',
  'ticket.resolutionDue': 'Resolución antes de',

  'level.critical': 'Crítica',
  'level.high': 'Alta',
  'level.medium': 'Media',
  'level.low': 'Baja',
  'level.all': 'Ver todos los niveles',

  'newTicket.title': 'Abrir un ticket',
  'newTicket.chooseDepartment': 'Elija un departamento',
  'newTicket.allDay': '{name} (24×7)',
  'newTicket.ccHint': 'Opcional. Correos separados por comas.',
  'newTicket.submit': 'Enviar ticket',

  'detail.conversation': 'Conversación',
  'detail.noArticles': 'Aún no hay respuestas.',
  'detail.system': 'Sistema',
  'detail.realProblem': 'Problema real',
  'detail.realSolution': 'Solución real',
  'detail.reply': 'Su respuesta',
  'detail.sendReply': 'Enviar respuesta',
  'detail.close': 'Cerrar ticket',
  'detail.reopen': 'Reabrir ticket',
  'detail.closedHint': 'El ticket está cerrado. Reábralo para continuar la conversación.',

  'article.public_reply': 'Respuesta',
  'article.internal_note': 'Nota interna',
  'article.email_in': 'Correo recibido',
  'article.email_out': 'Correo enviado',
};

export type MessageKey = keyof typeof es;
/** A complete dictionary: exactly the keys of `es`, no more, no fewer. */
export type Messages = Record<MessageKey, string>;
