import { Column, Entity, PrimaryColumn } from 'typeorm';

export const AUDIENCE_LIST_STATUSES = ['active', 'deleted'] as const;
export type AudienceListStatus = (typeof AUDIENCE_LIST_STATUSES)[number];

/** A static list of households marketing uploaded; its members are `loyalty.audience_list_members`. */
@Entity({ schema: 'loyalty', name: 'audience_lists' })
export class AudienceList {
  @PrimaryColumn('uuid')
  id!: string;

  @Column()
  name!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('text')
  status!: AudienceListStatus;

  /** One more with every change of the membership. */
  @Column()
  version!: number;

  @Column()
  memberCount!: number;

  /** SHA-256 of the sorted member household ids. */
  @Column('bytea')
  membersHash!: Buffer;

  @Column()
  createdBy!: string;

  @Column({ type: 'timestamptz', insert: false })
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;
}
