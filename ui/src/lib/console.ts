// Pure helpers for the broadcast console: meter scales, peak hold, time, device choices.
import type { DeviceInfo } from './bindings';

/** The meters show -60 … 0 dBFS. */
export const METER_FLOOR_DB = -60;

/** Where a level sits on a meter, 0 … 1. */
export function meterFraction(db: number, floor = METER_FLOOR_DB): number {
  if (!Number.isFinite(db) || db <= floor) return 0;
  return Math.min(1, (db - floor) / -floor);
}

/** The colour band of a level: green under -18, yellow to -6, red above. */
export function meterZone(db: number): 'ok' | 'warn' | 'hot' {
  if (db > -6) return 'hot';
  if (db > -18) return 'warn';
  return 'ok';
}

/**
 * A peak that holds for `holdMs` and then falls at `fallDbPerSec`, as broadcast meters do,
 * so a short peak can be read.
 */
export class PeakHold {
  value = -200;
  private heldAt = 0;
  constructor(private holdMs = 1500, private fallDbPerSec = 20) {}

  update(db: number, now: number): number {
    if (db >= this.value) {
      this.value = db;
      this.heldAt = now;
    } else if (now - this.heldAt > this.holdMs) {
      const fallen = this.value - ((now - this.heldAt - this.holdMs) / 1000) * this.fallDbPerSec;
      this.value = Math.max(db, fallen);
      if (this.value === db) this.heldAt = now;
    }
    return this.value;
  }
}

/** 125_000 ms → "02:05"; an hour or more → "1:02:05". */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export interface DeviceOption {
  id: string;
  label: string;
}

/**
 * The choices of a device picker: the system default first, then the devices, then the
 * special ones (none; for the input, the test signal). A stored device that is unplugged now
 * stays in the list, marked, so that choosing again is not forced on anyone.
 */
export function deviceOptions(
  devices: DeviceInfo[],
  current: string,
  labels: { default: string; none: string; test?: string; missing: string },
): DeviceOption[] {
  const out: DeviceOption[] = [{ id: 'default', label: labels.default }];
  for (const d of devices) out.push({ id: d.id, label: d.name === d.id ? d.id : `${d.name} (${d.id})` });
  out.push({ id: 'none', label: labels.none });
  if (labels.test) out.push({ id: 'test:speech', label: labels.test });
  if (!out.some((o) => o.id === current)) out.push({ id: current, label: `${current} — ${labels.missing}` });
  return out;
}

/** Decibels with one decimal, or "–" when there is nothing to show. */
export function db(x: number | null | undefined, unit = 'dB'): string {
  if (x === null || x === undefined || !Number.isFinite(x) || x <= -199) return '–';
  return `${x.toFixed(1)} ${unit}`;
}
