import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A household account; created unregistered the first time one of its cards is seen at a till. */
@Entity({ schema: 'ingest', name: 'shoppers' })
export class Shopper {
  @PrimaryColumn('uuid')
  id!: string;

  @Column()
  registered!: boolean;

  @Column({ type: 'timestamptz', insert: false })
  createdAt!: Date;
}
