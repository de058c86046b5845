import type { NegotiatedMedia } from "./sdp.js";

/**
 * The media side of calls (the door's audio, rtp/door-audio.ts), which each call tells directly
 * what its SDP agreed and when it ended. `C` is the call as the media side knows it (sip/call.ts's
 * Call); the user agent's context holds the sink without knowing calls.
 */
export interface CallMediaSink<C = unknown> {
	/** The call's media as agreed: by its answer, or anew by an offer within its dialog. */
	callMedia(call: C, media: NegotiatedMedia): void;
	/** The call ended; its media stops. */
	callEnded(call: C): void;
}
