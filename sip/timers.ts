/** RFC 3261 §17 timer values (ms); tests and a lossy network may scale them. */
export interface TimerValues {
	T1: number;
	T2: number;
	T4: number;
}

export const DEFAULT_TIMERS: TimerValues = Object.freeze({ T1: 500, T2: 4000, T4: 5000 });
