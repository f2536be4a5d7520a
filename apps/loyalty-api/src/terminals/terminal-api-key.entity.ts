import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A POS terminal's credential, bound to one store. Only a hash of the secret is kept. */
@Entity({ schema: 'loyalty', name: 'terminal_api_keys' })
export class TerminalApiKey {
  @PrimaryColumn()
  keyId!: string;

  @Column()
  storeId!: string;

  @Column()
  terminalId!: string;

  @Column()
  secretHash!: string;

  @Column({ type: 'timestamptz', insert: false })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
