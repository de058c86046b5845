/* A model of the Moddable SDK's `time` for the XS test host. */
export default {
	ticks: 0,
	delta(start, end) {
		return (end ?? 0) - start;
	},
	set(seconds) {},
};
