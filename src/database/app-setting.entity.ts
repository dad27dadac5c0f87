import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Small instance-wide values (e.g. the hash of the one-time admin setup token). */
@Entity('app_settings')
export class AppSetting {
  @PrimaryColumn({ name: 'setting_key', type: 'varchar', length: 100 })
  key: string;

  @Column({ type: 'text' })
  value: string;
}
