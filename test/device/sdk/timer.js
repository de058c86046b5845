/*
 * A model of the Moddable SDK's `timer` (set, repeat, clear), for the XS test host
 * (KLINGEL_XS_EMBEDDED): a timer never fires by itself; `Timer.pending` counts those set and not
 * cleared. `Timer.pass()` plays one pass of the SDK's event loop: the timers due by `Time.ticks`
 * (whole ms) fire, each with its handle, and one set meanwhile (of 0 ms too) waits for the next
 * pass; `Timer.made` counts the timers set.
 */
import Time from "time";

const timers = new Set();
let next = 1;

export default class Timer {
	static made = 0;

	static set(callback, ms) {
		return add(callback, ms, 0);
	}

	static repeat(callback, ms) {
		return add(callback, ms, ms);
	}

	static clear(timer) {
		timers.delete(timer);
	}

	static get pending() {
		return timers.size;
	}

	/** One pass of the event loop; returns how many timers fired. */
	static pass() {
		const due = [];
		for (const timer of timers) if (timer.due <= Time.ticks) due.push(timer);
		for (const timer of due) {
			if (!timers.has(timer)) continue;
			if (timer.interval) timer.due += timer.interval;
			else timers.delete(timer);
			timer.callback(timer);
		}
		return due.length;
	}
}

function add(callback, ms, interval) {
	const timer = { id: next++, callback, due: Time.ticks + ms, interval };
	timers.add(timer);
	Timer.made++;
	return timer;
}
