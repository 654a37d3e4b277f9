import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A login or support session: the `sid` of its access tokens, the family of its refresh tokens. */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  /** USER: a member's login; SUPPORT: a platform operator's time-boxed, read-only visit. */
  @Column('text')
  kind!: 'USER' | 'SUPPORT';

  @Column('text', { name: 'support_reason', nullable: true })
  supportReason!: string | null;

  /** The session presented a second factor (login code, or enrolment confirmed in it). */
  @Column('boolean', { name: 'mfa_passed' })
  mfaPassed!: boolean;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  /** When the user last proved a password in this session; older than a password change = dead. */
  @Column('timestamptz', { name: 'authenticated_at' })
  authenticatedAt!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  /** The session switchTenant derived this one from (in another tenant); it stands only with it. */
  @Column('uuid', { name: 'origin_session_id', nullable: true })
  originSessionId!: string | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column('text', { name: 'revoked_reason', nullable: true })
  revokedReason!: string | null;
}

@Entity({ name: 'refresh_tokens' })
export class RefreshTokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'session_id' })
  sessionId!: string;

  @Column('bytea', { name: 'token_hash' })
  tokenHash!: Buffer;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Column('timestamptz', { name: 'used_at', nullable: true })
  usedAt!: Date | null;
}
