import { z } from 'zod';
import type { Language, Priority, Severity, Urgency } from './schemas/enums';
import { prioritySchema, severitySchema, urgencySchema } from './schemas/enums';

/** Rows are the impact on the platform (severity), columns how soon the customer needs it back (urgency). */
export type PriorityMatrix = Record<Severity, Record<Urgency, Priority>>;

/**
 * A full matrix: every severity × urgency cell must be present, so an installation cannot leave a
 * combination without a priority (zod's enum-keyed records are exhaustive and reject unknown keys).
 */
export const priorityMatrixSchema = z.record(severitySchema, z.record(urgencySchema, prioritySchema));

/** The out-of-the-box matrix; installations may override it through settings. */
export const defaultPriorityMatrix: PriorityMatrix = {
  critical: { critical: 'P1', high: 'P1', medium: 'P2', low: 'P2' },
  high: { critical: 'P1', high: 'P2', medium: 'P2', low: 'P3' },
  medium: { critical: 'P2', high: 'P3', medium: 'P3', low: 'P4' },
  low: { critical: 'P3', high: 'P3', medium: 'P4', low: 'P4' },
};

export function computePriority(
  severity: Severity,
  urgency: Urgency,
  matrix: PriorityMatrix = defaultPriorityMatrix,
): Priority {
  return matrix[severity][urgency];
}

export type LevelDefinition = Record<Language, string>;

/** Seed 003 wording (Spanish is the source of truth; English is a translation). */
export const severityDefinitions: Record<Severity, LevelDefinition> = {
  critical: {
    es: 'La plataforma tecnológica está caída o hay un impacto crítico en las operaciones del negocio.',
    en: 'The technology platform is down or there is a critical impact on business operations.',
  },
  high: {
    es:
      'La operación de la plataforma tecnológica existente está severamente degradada, o aspectos significativos ' +
      'de las operaciones del negocio están siendo impactadas negativamente por un mal funcionamiento de la plataforma.',
    en:
      'Operation of the existing technology platform is severely degraded, or significant aspects of business ' +
      'operations are being negatively impacted by a platform malfunction.',
  },
  medium: {
    es:
      'El funcionamiento operacional de la plataforma tecnológica presenta problemas, sin embargo, la mayoría de ' +
      'las operaciones del negocio permanecen funcionando.',
    en:
      'The operational functioning of the technology platform has problems; however, most business operations ' +
      'remain functional.',
  },
  low: {
    es:
      'Se requiere información o asistencia en cuanto a las capacidades de los equipos de la plataforma ' +
      'tecnológica, instalación o configuración. Hay muy poco impacto, o no existe, en las operaciones del negocio.',
    en:
      'Information or assistance is required regarding the capabilities of the technology platform equipment, ' +
      'installation or configuration. There is little or no impact on business operations.',
  },
};

/** Seed 003 wording; each definition completes the sentence "The customer…" / "El cliente…". */
export const urgencyDefinitions: Record<Urgency, LevelDefinition> = {
  critical: {
    es:
      'Necesita que su caso sea atendido de forma prioritaria a fin de que le sea restablecido el servicio o el ' +
      'proceso afectado lo antes posible y restaurada la continuidad operativa del negocio.',
    en:
      'Needs the case to be handled as a priority so that the affected service or process is restored as soon as ' +
      'possible and business continuity is re-established.',
  },
  high: {
    es:
      'Necesita que su caso le sea atendido en el menor tiempo posible, considerando que la operación o proceso ' +
      'del negocio afectado puede ser restaurado según el nivel de servicio acordado.',
    en:
      'Needs the case to be handled as quickly as possible, considering that the affected business operation or ' +
      'process can be restored according to the agreed service level.',
  },
  medium: {
    es:
      'Puede esperar la restauración del servicio u operación degradada, según el nivel de servicio acordado, ' +
      'debido a que la mayoría de las operaciones medulares del negocio están funcionando normalmente.',
    en:
      'Can wait for the degraded service or operation to be restored according to the agreed service level, ' +
      'because most core business operations are working normally.',
  },
  low: {
    es:
      'Puede esperar que su caso sea atendido según el nivel de servicio acordado (SLA) ya que el servicio o ' +
      'proceso afectado no impiden un efectivo desenvolvimiento del negocio.',
    en:
      'Can wait for the case to be handled according to the agreed service level (SLA), since the affected ' +
      'service or process does not prevent the business from operating effectively.',
  },
};
