/* A model of the Moddable SDK's `sntp` for the XS test host: asked once, it never answers. */
export default class SNTP {
	static asked = 0;
	constructor(options, callback) {
		SNTP.asked++;
	}
	close() {}
	static time = 1;
	static retry = 2;
	static error = -1;
}
