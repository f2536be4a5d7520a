import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ schema: 'ingest', name: 'cards' })
export class Card {
  @PrimaryColumn()
  cardNumber!: string;

  @Column('uuid')
  shopperId!: string;

  @Column('text')
  status!: 'active' | 'lost' | 'blocked' | 'replaced';

  @Column({ type: 'timestamptz', insert: false })
  createdAt!: Date;
}
