/*
 * The SIP methods, named once: those this user agent takes (its Allow header), those it knows
 * and refuses with 405, and the set of both, which the parser reads without a token RegExp.
 * Any other method gets 501.
 */

/** The methods this user agent takes. */
export const ALLOWED_METHODS: readonly string[] = Object.freeze(["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "INFO", "UPDATE"]);

/** Methods it knows but does not take: 405 Method Not Allowed, with Allow. */
export const REFUSED_METHODS: readonly string[] = Object.freeze(["REGISTER", "SUBSCRIBE", "NOTIFY", "MESSAGE", "REFER", "PRACK", "PUBLISH"]);

/** The Allow header of requests and answers. */
export const ALLOW = "Allow: ".concat(ALLOWED_METHODS.join(", "));

/** Every method named above. */
export const WELL_KNOWN_METHODS: ReadonlySet<string> = new Set([...ALLOWED_METHODS, ...REFUSED_METHODS]);
