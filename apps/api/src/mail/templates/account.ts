import type { Language } from '@mesa/core';
import { type Draft, pick } from './doc';

/** The link asks for the sign-up password, or lets the mailbox owner choose one if someone else signed up. */
export function verifyEmail(link: string, lang: Language): Draft {
  return {
    subject: pick(lang, 'Confirma tu correo electrónico', 'Confirm your e-mail address'),
    blocks: [
      {
        kind: 'p',
        text: pick(
          lang,
          'Para activar tu cuenta en la mesa de ayuda, abre este enlace y escribe la contraseña que elegiste al registrarte:',
          'To activate your help desk account, open this link and type the password you chose when you signed up:',
        ),
      },
      { kind: 'link', label: pick(lang, 'Confirmar mi correo', 'Confirm my e-mail'), href: link },
      {
        kind: 'p',
        text: pick(
          lang,
          'Si no creaste tú esta cuenta, ignora este mensaje: nadie puede usarla sin este enlace. O, si quieres usarla, elige con el mismo enlace tu propia contraseña; la que se indicó al registrarse deja de valer.',
          'If you did not create this account, ignore this message: nobody can use it without this link. Or, to use it yourself, choose your own password with the same link; the one given at sign-up stops working.',
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

/** To the owner of an address someone tried to register again: only the mailbox owner can use the link. */
export function accountExists(link: string, lang: Language): Draft {
  return {
    subject: pick(lang, 'Ya tienes una cuenta en la mesa de ayuda', 'You already have a help desk account'),
    blocks: [
      {
        kind: 'p',
        text: pick(
          lang,
          'Alguien (quizá tú) intentó registrarse con esta dirección, que ya tiene una cuenta. No cambiamos nada.',
          'Someone (maybe you) tried to sign up with this address, which already has an account. Nothing was changed.',
        ),
      },
      {
        kind: 'p',
        text: pick(
          lang,
          'Si fuiste tú, elige tu contraseña con este enlace y entra con ella:',
          'If it was you, choose your password with this link and log in with it:',
        ),
      },
      { kind: 'link', label: pick(lang, 'Elegir mi contraseña', 'Choose my password'), href: link },
      {
        kind: 'p',
        text: pick(
          lang,
          'Si no fuiste tú, ignora este mensaje: tu cuenta y tu contraseña siguen igual.',
          'If it was not you, ignore this message: your account and password stay the same.',
        ),
      },
    ],
  };
}
