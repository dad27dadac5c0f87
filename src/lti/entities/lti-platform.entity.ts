import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An LMS (an LTI 1.3 platform) an administrator registered: who it is (issuer, and the client id
 * it gave this tool), which deployments of the tool it may launch, and where its OpenID Connect
 * endpoints and keys are.
 */
@Entity('lti_platforms')
@Index('uq_lti_platforms_issuer_client', ['issuer', 'clientId'], { unique: true })
export class LtiPlatform {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 191 })
  issuer: string;

  @Column({ name: 'client_id', type: 'varchar', length: 191 })
  clientId: string;

  @Column({ name: 'deployment_ids', type: 'simple-json' })
  deploymentIds: string[];

  /** The platform's OIDC authorisation endpoint (Moodle: /mod/lti/auth.php). */
  @Column({ name: 'auth_login_url', type: 'varchar', length: 500 })
  authLoginUrl: string;

  /** The OAuth 2 token endpoint for services (Moodle: /mod/lti/token.php). */
  @Column({ name: 'token_url', type: 'varchar', length: 500 })
  tokenUrl: string;

  /** The platform's public keys (Moodle: /mod/lti/certs.php). */
  @Column({ name: 'jwks_url', type: 'varchar', length: 500 })
  jwksUrl: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
