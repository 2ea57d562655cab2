import type { Language } from '@mesa/core';
import { type Draft, pick } from './doc';

export function verifyEmail(link: string, lang: Language): Draft {
  return {
    subject: pick(lang, 'Confirma tu correo electrónico', 'Confirm your e-mail address'),
    blocks: [
      {
        kind: 'p',
        text: pick(
          lang,
          'Para activar tu cuenta en la mesa de ayuda, confirma tu dirección de correo con este enlace:',
          'To activate your help desk account, confirm your e-mail address with this link:',
        ),
      },
      { kind: 'link', label: pick(lang, 'Confirmar mi correo', 'Confirm my e-mail'), href: link },
      {
        kind: 'p',
        text: pick(
          lang,
          'Si no creaste una cuenta, ignora este mensaje.',
          'If you did not create an account, you can ignore this message.',
        ),
      },
    ],
  };
}

export function resetPassword(link: string, lang: Language): Draft {
  return {
    subject: pick(lang, 'Restablece tu contraseña', 'Reset your password'),
    blocks: [
      {
        kind: 'p',
        text: pick(
          lang,
          'Recibimos una solicitud para restablecer la contraseña de tu cuenta. Usa este enlace para elegir una nueva:',
          "We received a request to reset your account's password. Use this link to choose a new one:",
        ),
      },
      { kind: 'link', label: pick(lang, 'Elegir una contraseña nueva', 'Choose a new password'), href: link },
      {
        kind: 'p',
        text: pick(
          lang,
          'Si no lo solicitaste, ignora este mensaje: tu contraseña no cambia.',
          'If you did not ask for this, ignore this message: your password stays the same.',
        ),
      },
    ],
  };
}
