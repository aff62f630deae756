// Counts and durations as people read them, the same in plans, status, apply lines and progress:
// counts with thousands separators, durations in s/min/h. The planner words its reasons with them,
// so they sit below both the plan and the views.

/** 212000 → "212,000"; a rate is rounded to a whole number first. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 15 → "15 s", 125 → "2 min 05 s", 3720 → "1 h 02 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
