import { describe, expect, it } from 'vitest';
import { addDays, monthGrid, nextMark, onDay, searchRoster, weekOf, weekday } from './programs';

describe('calendar dates', () => {
  it('lays out June 2024 Monday-first in 5 weeks', () => {
    const grid = monthGrid('2024-06-19');
    expect(grid.length).toBe(5);
    expect(grid[0][0]).toBe('2024-05-27');
    expect(grid[0][5]).toBe('2024-06-01');
    expect(grid[4][6]).toBe('2024-06-30');
  });
  it('knows weekdays and crosses month ends', () => {
    expect(weekday('2024-06-19')).toBe(2); // Wednesday
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(weekOf('2024-07-10')).toEqual(['2024-07-08', '2024-07-09', '2024-07-10', '2024-07-11', '2024-07-12', '2024-07-13', '2024-07-14']);
  });
  it('puts an event on each day it spans', () => {
    const e = [{ starts_at: '2024-07-10T10:00', ends_at: '2024-07-11T12:00' }];
    expect(onDay(e, '2024-07-10').length).toBe(1);
    expect(onDay(e, '2024-07-11').length).toBe(1);
    expect(onDay(e, '2024-07-12').length).toBe(0);
  });
});

describe('attendance and check-in', () => {
  it('cycles marks back to unrecorded', () => {
    expect(nextMark('present')).toBe('late');
    expect(nextMark('excused')).toBe(null);
    expect(nextMark(null)).toBe('present');
  });
  it('finds by name or village, those not yet checked in first', () => {
    const roster = [
      { name: '김철수', village_name: '연탄1리', checked_in_at: '2023-10-19T05:00:00Z' },
      { name: '박영희', village_name: '연탄2리', checked_in_at: null },
      { name: '이민수', village_name: '송산1리', checked_in_at: null }
    ];
    expect(searchRoster(roster, '연탄').map((a) => a.name)).toEqual(['박영희', '김철수']);
    expect(searchRoster(roster, '이 민').map((a) => a.name)).toEqual(['이민수']);
    expect(searchRoster(roster, '').length).toBe(3);
  });
});
