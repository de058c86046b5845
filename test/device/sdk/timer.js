/*
 * A model of the Moddable SDK's `timer` (set and clear), for the XS test host
 * (KLINGEL_XS_EMBEDDED): a timer never fires by itself; `Timer.pending` counts those set and not
 * cleared.
 */

const timers = new Set();
let next = 1;

export default class Timer {
	static set(callback, ms) {
		const id = next++;
		timers.add(id);
		return id;
	}

	static clear(id) {
		timers.delete(id);
	}

	static get pending() {
		return timers.size;
	}
}
