import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One of the issuer's Ed25519 signing keys. The newest key that is not retired signs; every key
 * stays published (DID document, JWKS) so credentials signed before a rotation still verify.
 */
@Entity('issuer_keys')
@Index('uq_issuer_keys_kid', ['kid'], { unique: true })
export class IssuerKey {
  @PrimaryGeneratedColumn()
  id: number;

  /** The key's RFC 7638 thumbprint: the fragment of its id (did:web:<host>#<kid>). */
  @Column({ type: 'varchar', length: 64 })
  kid: string;

  /** The public half as a JWK (JSON). */
  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk: string;

  /**
   * The private half as a JWK (JSON), so that a rotation reaches every process sharing the
   * database. Null for the key given in ISSUER_KEY: its private half stays in the environment.
   */
  @Column({ name: 'private_jwk', type: 'text', nullable: true })
  privateJwk: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  /** When a newer key took over signing; a retired key still verifies. */
  @Column({ name: 'retired_at', type: 'datetime', nullable: true })
  retiredAt: Date | null;
}
