import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const XAPI_STATES = ['pending', 'delivered', 'failed'] as const;
export type XapiState = (typeof XAPI_STATES)[number];

/**
 * One xAPI statement on its way to the learning record store, written in the same transaction
 * as the learner event it records, so neither commits without the other. The statement (with
 * its id) is fixed at write time: every send of the row is byte for byte the same, so a re-send
 * after a lost answer is a no-op at the LRS. Rows stay `pending` until the LRS acknowledges
 * them; `failed` rows were refused for good (a 4xx other than 409) and keep the reason.
 */
@Entity('xapi_outbox')
@Index('uq_xapi_outbox_statement', ['statementId'], { unique: true })
@Index('idx_xapi_outbox_state_due', ['state', 'nextAttemptAt'])
export class XapiOutbox {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'statement_id', type: 'varchar', length: 36 })
  statementId: string;

  /** The verb's short name (registered, passed…), for the admin page. */
  @Column({ type: 'varchar', length: 20 })
  verb: string;

  /** The statement as JSON text, sent as is. */
  @Column({ type: 'text' })
  statement: string;

  @Column({ type: 'simple-enum', enum: XAPI_STATES, default: 'pending' })
  state: XapiState;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** Not sent before this time (backoff after the LRS did not answer). */
  @Column({ name: 'next_attempt_at', type: 'datetime' })
  nextAttemptAt: Date;

  /** Handed to the queue at this time; a row queued long ago and still pending is queued again. */
  @Column({ name: 'queued_at', type: 'datetime', nullable: true })
  queuedAt: Date | null;

  @Column({ name: 'delivered_at', type: 'datetime', nullable: true })
  deliveredAt: Date | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
