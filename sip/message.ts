/*
 * A received SIP message, parsed lazily: the start line is split at once and the header
 * section is indexed (offsets into one string); header values are cut out only when asked.
 */

import { decodeUtf8 } from "../modules/text.js";
import { trimLws } from "./header-values.js";
import { digitsEnd, isDigits, isToken } from "./scan.js";
import { WELL_KNOWN_METHODS } from "./methods.js";

/** Compact header forms (RFC 3261 §7.3.3 and extensions). */
const COMPACT: Record<string, string> = Object.freeze({
	i: "call-id", m: "contact", e: "content-encoding", l: "content-length", c: "content-type",
	f: "from", s: "subject", k: "supported", t: "to", v: "via", o: "event", r: "refer-to",
	u: "allow-events", x: "session-expires", b: "referred-by", a: "accept-contact",
	j: "reject-contact", d: "request-disposition", y: "identity", n: "identity-info",
});

/** Why a datagram was refused, with the status to answer when an answer is possible. */
export class SipParseError extends Error {
	readonly status: number;
	/** The message as far as it could be indexed, to build an error response from. */
	readonly partial: SipMessage | undefined;
	constructor(message: string, status = 400, partial?: SipMessage) {
		super(message);
		this.name = "SipParseError";
		this.status = status;
		this.partial = partial;
	}
}

/*
 * XS meters every bytecode and string method call (about 10–20 computrons each), so the
 * header index is built with few calls per line: native searches for ':' and LF, and one
 * Map lookup that recognises the usual spellings of well-known names. Values are trimmed
 * only when read. Everything else takes the careful path.
 */

/** Well-known header names (lowercase); a line's name id is its position here + 1 (0: other). */
const KNOWN = Object.freeze([
	"via", "from", "to", "call-id", "cseq", "contact", "content-type", "content-length", "max-forwards",
	"record-route", "route", "allow", "supported", "user-agent", "server", "expires", "min-expires",
	"www-authenticate", "proxy-authenticate", "authorization", "proxy-authorization", "require",
	"proxy-require", "unsupported", "accept", "accept-encoding", "accept-language", "allow-events",
	"event", "subject", "date", "content-encoding", "content-disposition", "session-expires", "min-se",
	"p-asserted-identity", "privacy", "reason", "warning", "organization", "timestamp", "retry-after",
	"refer-to", "referred-by", "subscription-state", "rack", "rseq", "mime-version", "in-reply-to",
]);
const SPECIAL_CASE: Record<string, readonly string[]> = Object.freeze({
	"call-id": Object.freeze(["Call-ID", "Call-Id"]), cseq: Object.freeze(["CSeq"]), "www-authenticate": Object.freeze(["WWW-Authenticate"]), "mime-version": Object.freeze(["MIME-Version"]),
	rack: Object.freeze(["RAck"]), rseq: Object.freeze(["RSeq"]), "p-asserted-identity": Object.freeze(["P-Asserted-Identity"]), "min-se": Object.freeze(["Min-SE"]),
});
/** Lowercase full name → id. */
const NAME_ID = new Map<string, number>();
/** Spelling on the wire (lowercase, canonical, compact) → id. */
const SPELLING_ID = new Map<string, number>();
for (let i = 0; i < KNOWN.length; i++) {
	const name = KNOWN[i];
	NAME_ID.set(name, i + 1);
	SPELLING_ID.set(name, i + 1);
	SPELLING_ID.set(name.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("-"), i + 1);
	for (const spelling of SPECIAL_CASE[name] ?? []) SPELLING_ID.set(spelling, i + 1);
}
for (const letter in COMPACT) {
	const id = NAME_ID.get(COMPACT[letter]);
	if (id) {
		SPELLING_ID.set(letter, id);
		SPELLING_ID.set(letter.toUpperCase(), id);
	}
}
const LF = "\n", CR = "\r", COLON = ":", LF_LF = "\n\n", LF_CRLF = "\n\r\n", LF_SP = "\n ", LF_HT = "\n\t", SP = " ";
const SIP_PREFIX = "SIP/", SIP_2_0 = "SIP/2.0", CONTENT_LENGTH = "content-length";
/**
 * A folded value on one line: each line break followed by white space, with that white space,
 * becomes one space (RFC 3261 §7.3.1). A loop, not a RegExp with the g flag: a module-level one
 * keeps lastIndex as state, which a module preloaded into flash may not.
 */
function unfold(v: string): string {
	let out = "", from = 0, i: number;
	while ((i = v.indexOf(LF, from)) >= 0) {
		let next = i + 1;
		while (next < v.length && (v.charCodeAt(next) === 32 || v.charCodeAt(next) === 9)) next++;
		if (next === i + 1) {
			out += v.slice(from, next);
		} else {
			const end = i > from && v.charCodeAt(i - 1) === 13 ? i - 1 : i;
			out += v.slice(from, end) + SP;
		}
		from = next;
	}
	return out + v.slice(from);
}

/** Id → the one-character string that stands for it in a message's id text. */
const ID_CHAR: string[] = [];
for (let i = 0; i <= KNOWN.length; i++) ID_CHAR.push(String.fromCharCode(i));
Object.freeze(ID_CHAR);

/** The id of a header name as written (after a TOKEN check), 0 for names not in KNOWN. */
function nameId(name: string): number {
	const lower = name.toLowerCase();
	return NAME_ID.get(name.length === 1 ? COMPACT[lower] ?? lower : lower) ?? 0;
}

export class SipMessage {
	// The public fields are `declare`d: the constructor sets each once (an emitted field would
	// be defined as undefined first, which XS meters as a second store).
	/** Request method, or "" for a response. */
	declare readonly method: string;
	/** Request-URI, or "" for a response. */
	declare readonly uri: string;
	/** Status code, or 0 for a request. */
	declare readonly status: number;
	declare readonly reason: string;
	/** SIP version of the start line, e.g. "SIP/2.0". */
	declare readonly version: string;
	/** The header section as one string (start line included). */
	readonly #text: string;
	/** Three offsets per header line: name start, its colon, the end of its value (its last LF). */
	readonly #index: Uint16Array;
	/** Per header line the id of its name (see KNOWN; 0 for other names), one character a line: searched natively. */
	readonly #idText: string;
	/** Whether any header line is folded (continued on the next line). */
	readonly #folded: boolean;
	#bodyBytes: Uint8Array;
	#body: string | undefined;

	constructor(text: string, index: Uint16Array, ids: Uint8Array, count: number, folded: boolean, bodyBytes: Uint8Array, startLine: string[]) {
		this.#text = text;
		this.#index = index;
		// Ids are below 128: the bytes are their own UTF-8, and one native decode makes the text.
		this.#idText = decodeUtf8(ids.subarray(0, count));
		this.#folded = folded;
		this.#bodyBytes = bodyBytes;
		if (startLine[0].startsWith(SIP_PREFIX)) {
			this.version = startLine[0];
			this.status = Number(startLine[1]);
			this.reason = startLine[2];
			this.method = "";
			this.uri = "";
		} else {
			this.method = startLine[0];
			this.uri = startLine[1];
			this.version = startLine[2];
			this.status = 0;
			this.reason = "";
		}
	}

	get isRequest(): boolean {
		return this.status === 0;
	}

	/** The body octets (a view into the datagram, framed by Content-Length). */
	get bodyBytes(): Uint8Array {
		return this.#bodyBytes;
	}

	/** The body as text (decoded once, on first use). */
	get body(): string {
		this.#body ??= this.#bodyBytes.length ? decodeUtf8(this.#bodyBytes) : "";
		return this.#body;
	}

	/** Cuts the body to `length` octets (Content-Length shorter than the datagram). */
	limitBody(length: number): void {
		this.#bodyBytes = this.#bodyBytes.subarray(0, length);
		this.#body = undefined;
	}

	/** Number of header lines with this name (a full lowercase name; case and compact forms on the wire ignored). */
	count(name: string): number {
		let n = 0;
		for (let i = this.#find(name, 0); i >= 0; i = this.#find(name, i + 1)) n++;
		return n;
	}

	/** Value of the first header line with this name, or undefined. */
	header(name: string): string | undefined {
		const id = NAME_ID.get(name);
		const i = id === undefined ? this.#findOther(name, 0) : this.#idText.indexOf(ID_CHAR[id]);
		return i < 0 ? undefined : this.#value(i);
	}

	/** Values of every header line with this name, one entry a line. */
	headerLines(name: string): string[] {
		const out: string[] = [];
		for (let i = this.#find(name, 0); i >= 0; i = this.#find(name, i + 1)) out.push(this.#value(i));
		return out;
	}

	/** Every value of a list header (Via, Contact, Route, Allow…), lines split at top-level commas. */
	values(name: string): string[] {
		const out: string[] = [];
		const id = NAME_ID.get(name);
		if (id === undefined) {
			for (let i = this.#findOther(name, 0); i >= 0; i = this.#findOther(name, i + 1)) splitList(this.#value(i), out);
			return out;
		}
		// A known name: its lines by native searches of the id text, the name looked up once.
		const ids = this.#idText, c = ID_CHAR[id];
		for (let i = ids.indexOf(c); i >= 0; i = ids.indexOf(c, i + 1)) splitList(this.#value(i), out);
		return out;
	}

	/** Whether the message has more than one header line with this name. */
	hasMore(name: string): boolean {
		const id = NAME_ID.get(name);
		if (id === undefined) {
			const first = this.#findOther(name, 0);
			return first >= 0 && this.#findOther(name, first + 1) >= 0;
		}
		const ids = this.#idText, c = ID_CHAR[id], first = ids.indexOf(c);
		return first >= 0 && ids.indexOf(c, first + 1) >= 0;
	}

	/** The first header line at or after `from` with this name, or -1. */
	#find(name: string, from: number): number {
		const id = NAME_ID.get(name);
		// Known names: a native search of the ids (a typed array's indexOf costs far more on XS).
		return id === undefined ? this.#findOther(name, from) : this.#idText.indexOf(ID_CHAR[id], from);
	}

	/** #find for a name not in KNOWN: the lines of other names, compared one by one. */
	#findOther(name: string, from: number): number {
		const ids = this.#idText;
		for (let i = from; i < ids.length; i++) if (ids.charCodeAt(i) === 0 && this.#is(i, name)) return i;
		return -1;
	}

	/** The value of header line i: LWS around it removed, folding replaced by a single space. */
	#value(i: number): string {
		const text = this.#text, index = this.#index, k = i * 3;
		let start = index[k + 1] + 1, end = index[k + 2];
		// Straight-line checks for the usual `Name: value CR LF`, loops only for more LWS:
		// on XS every loop turn costs some twenty computrons, and one `c <= 0x20` costs a
		// fifth of four equality tests. Only SP, HT, CR and LF are trimmed (a native trim
		// would also take a BOM or NBSP off the value).
		let c = text.charCodeAt(start);
		if (c <= 0x20) {
			if (c === 0x20 && text.charCodeAt(start + 1) > 0x20) start++;
			else start = trimStart(text, start, end);
		}
		c = text.charCodeAt(end - 1);
		if (c <= 0x20) {
			if (c === 13 && text.charCodeAt(end - 2) > 0x20) end--;
			else end = trimEnd(text, start, end);
		}
		const v = end > start ? text.slice(start, end) : "";
		return this.#folded && v.indexOf(LF) >= 0 ? unfold(v) : v;
	}

	/** Whether header line i (a name not in KNOWN) has the given full name (compact forms on the wire are expanded). */
	#is(i: number, name: string): boolean {
		const text = this.#text, k = i * 3;
		const start = this.#index[k], end = trimEnd(text, start, this.#index[k + 1]);
		if (end - start === 1) {
			const full = COMPACT[String.fromCharCode(text.charCodeAt(start) | 0x20)];
			if (full !== undefined) return sameName(full, 0, full.length, name);
		}
		return sameName(text, start, end, name);
	}
}

/** Case-insensitive compare of text[start, end) with name (ASCII letters fold). */
function sameName(text: string, start: number, end: number, name: string): boolean {
	if (end - start !== name.length) return false;
	for (let j = 0; j < name.length; j++) {
		const a = text.charCodeAt(start + j), b = name.charCodeAt(j);
		if (a !== b && ((a | 0x20) !== (b | 0x20) || (a | 0x20) < 0x61 || (a | 0x20) > 0x7a)) return false;
	}
	return true;
}

/** Splits a list header value at commas that are outside quotes and angle brackets. */
export function splitList(value: string, out: string[] = []): string[] {
	if (value.indexOf(",") < 0) {
		// One value (the usual case): no character-by-character walk.
		out.push(trimLws(value));
		return out;
	}
	let start = 0, quoted = false, angle = false;
	for (let i = 0; i < value.length; i++) {
		const c = value.charCodeAt(i);
		if (quoted) {
			if (c === 0x5c) i++;
			else if (c === 0x22) quoted = false;
		} else if (c === 0x22) quoted = true;
		else if (c === 0x3c) angle = true;
		else if (c === 0x3e) angle = false;
		else if (c === 0x2c && !angle) {
			out.push(value.slice(start, i).trim());
			start = i + 1;
		}
	}
	out.push(value.slice(start).trim());
	return out;
}

/**
 * The end of the header section: the offset of the LF that starts the empty line, in the
 * decoded text, or -1. CRLF CRLF is the rule; LF LF and LF CRLF are tolerated.
 */
function headerEnd(text: string): number {
	const crlf = text.indexOf(LF_CRLF);
	const lf = text.indexOf(LF_LF);
	return lf >= 0 && (crlf < 0 || lf < crlf) ? lf : crlf;
}

/** The offset in `bytes` of the body after the empty line, searched from `from` (≤ its byte offset). */
function bodyOffset(bytes: Uint8Array, from: number): number {
	for (let i = bytes.indexOf(10, from); i >= 0; i = bytes.indexOf(10, i + 1)) {
		if (bytes[i + 1] === 10) return i + 2;
		if (bytes[i + 1] === 13 && bytes[i + 2] === 10) return i + 3;
	}
	return bytes.length;
}

/** Starting room in the index, in header lines; it grows when a message has more. */
const INDEX_LINES = 24;

/**
 * Frames and indexes one datagram. Throws SipParseError when it is not a SIP message;
 * `validate()` then checks what a transaction needs.
 */
export function parseSip(data: Uint8Array): SipMessage {
	// Leading CRLFs are keep-alives or noise (RFC 3261 §7.5).
	let first = 0;
	while (first < data.length && (data[first] === 13 || data[first] === 10)) first++;
	if (first >= data.length) throw new SipParseError("empty datagram", 0);
	const bytes = first ? data.subarray(first) : data;
	// One decode; header offsets are offsets into this text (it holds the body too).
	const text = decodeUtf8(bytes);
	const end = headerEnd(text);
	if (end < 0) throw new SipParseError("no empty line after the header section", 0);
	if (end > 0xfff0) throw new SipParseError("header section too large", 0);
	// A text as long as the datagram is all single-octet characters: offsets agree.
	const body = text.length === bytes.length ? (text.charCodeAt(end + 1) === 13 ? end + 3 : end + 2) : bodyOffset(bytes, end);

	let lineEnd = text.indexOf(LF);
	if (lineEnd > end) lineEnd = end;
	const startEnd = lineEnd > 0 && text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
	// A CR belongs only right before an LF: a receiver that ends lines at a bare CR would read
	// another line there (and the answer echoes Via, From, To, Call-ID and CSeq). `cr` is the
	// first CR at or after the line being read, found by one native search per CRLF line.
	let cr = text.indexOf(CR);
	const startLine = cr >= 0 && cr < lineEnd - 1 ? undefined : splitStartLine(text, startEnd);

	// Folded lines anywhere in the header section? Only then is each line's first character looked at.
	const sp = text.indexOf(LF_SP), ht = text.indexOf(LF_HT);
	const folded = (sp >= 0 && sp < end) || (ht >= 0 && ht < end);
	let index = new Uint16Array(INDEX_LINES * 3);
	let ids = new Uint8Array(INDEX_LINES);
	let room = INDEX_LINES;
	let count = 0, k = 0;
	let pos = lineEnd + 1;
	let badHeader = "";
	while (pos < end) {
		// The LF at `end` is there, so a line always ends by it.
		const next = text.indexOf(LF, pos);
		if (cr >= 0 && cr < pos) cr = text.indexOf(CR, pos);
		if (cr >= 0 && cr < next - 1) badHeader ||= "bare CR in a header line";
		if (folded) {
			const c = text.charCodeAt(pos);
			if (c === 0x20 || c === 0x09) {
				// A folded continuation of the previous header.
				if (count === 0) badHeader ||= "continuation line before any header";
				else index[k - 1] = next;
				pos = next + 1;
				continue;
			}
		}
		const colon = text.indexOf(COLON, pos);
		// One unsigned comparison: no colon (-1) or none before the LF.
		if ((colon >>> 0) > next) {
			badHeader ||= `header line without a colon: ${JSON.stringify(text.slice(pos, Math.min(trimEnd(text, pos, next), pos + 40)))}`;
		} else {
			let id = SPELLING_ID.get(text.slice(pos, colon));
			if (id === undefined) {
				const name = text.slice(pos, trimEnd(text, pos, colon));
				if (!isToken(name, 0, name.length)) badHeader ||= `invalid header name ${JSON.stringify(name)}`;
				id = nameId(name);
			}
			if (count === room) {
				room *= 2;
				const biggerIndex = new Uint16Array(room * 3), biggerIds = new Uint8Array(room);
				biggerIndex.set(index);
				biggerIds.set(ids);
				index = biggerIndex;
				ids = biggerIds;
			}
			// Name start, colon, line end: the name and the value (LWS and CR included) are trimmed when read.
			index[k] = pos;
			index[k + 1] = colon;
			index[k + 2] = next;
			k += 3;
			ids[count++] = id;
		}
		pos = next + 1;
	}
	const message = new SipMessage(text, index, ids, count, folded, bytes.subarray(body), startLine ?? ["", "", ""]);
	if (!startLine) throw new SipParseError(`malformed start line ${JSON.stringify(text.slice(0, startEnd < 60 ? startEnd : 60))}`, 400, message);
	if (badHeader) throw new SipParseError(badHeader, 400, message);
	return frameBody(message, bytes, body);
}

function trimStart(text: string, from: number, to: number): number {
	for (; from < to; from++) {
		const c = text.charCodeAt(from);
		if (c !== 0x20 && c !== 0x09 && c !== 13 && c !== 10) break;
	}
	return from;
}

function trimEnd(text: string, from: number, to: number): number {
	for (; to > from; to--) {
		const c = text.charCodeAt(to - 1);
		// LF too: a folded line of blanks at a value's end leaves its CR LF before them.
		if (c !== 0x20 && c !== 0x09 && c !== 13 && c !== 10) break;
	}
	return to;
}

/** Whether a Status-Line's code is three digits, 100 to 699. */
function statusCode(code: string): boolean {
	const c = code.charCodeAt(0);
	return code.length === 3 && c >= 0x31 && c <= 0x36 && isDigits(code, 1, 3, 2);
}

/** Whether a version is `SIP/` digits `.` digits, SIP in any case. */
function sipVersion(v: string): boolean {
	if (v.length < 7 || (v.charCodeAt(0) | 0x20) !== 0x73 || (v.charCodeAt(1) | 0x20) !== 0x69 || (v.charCodeAt(2) | 0x20) !== 0x70 || v.charCodeAt(3) !== 0x2f) return false;
	const dot = digitsEnd(v, 4, v.length);
	return dot > 4 && v.charCodeAt(dot) === 0x2e && dot + 1 < v.length && digitsEnd(v, dot + 1, v.length) === v.length;
}

/** Whether a Request-URI has no white space, control, '<' or '>' (the line is split at spaces already). */
function plainUri(uri: string): boolean {
	for (let i = 0; i < uri.length; i++) {
		const c = uri.charCodeAt(i);
		if (c <= 0x20 || c === 0x3c || c === 0x3e) return false;
	}
	return true;
}

/**
 * Request-Line or Status-Line, text[0, stop), split on single spaces exactly as RFC 3261
 * §7.1/§7.2 writes them: only its three parts are cut out of the text.
 */
function splitStartLine(text: string, stop: number): string[] | undefined {
	const a = text.indexOf(SP);
	if (a < 0 || a >= stop) return undefined;
	let b = text.indexOf(SP, a + 1);
	if (b >= stop) b = -1;
	if (text.startsWith(SIP_PREFIX)) {
		const code = text.slice(a + 1, b < 0 ? stop : b);
		if (!statusCode(code)) return undefined;
		return [text.slice(0, a), code, b < 0 ? "" : text.slice(b + 1, stop)];
	}
	// Three parts, none of them empty but the last (which the version check refuses).
	const c = b < 0 ? -1 : text.indexOf(SP, b + 1);
	if (b <= a + 1 || (c >= 0 && c < stop)) return undefined;
	const method = text.slice(0, a), uri = text.slice(a + 1, b), version = text.slice(b + 1, stop);
	if (!WELL_KNOWN_METHODS.has(method) && !isToken(method, 0, method.length)) return undefined;
	if (version !== SIP_2_0 && !sipVersion(version)) return undefined;
	// encodeURI leaves a URI of the usual characters as it is (one native call, no loop);
	// the text comes from TextDecoder, so it holds no lone surrogate that would make it throw.
	if (encodeURI(uri) !== uri && !plainUri(uri)) return undefined;
	return [method, uri, version];
}

/** Applies Content-Length to a datagram (RFC 3261 §18.3): extra octets are dropped, missing ones are an error. */
function frameBody(message: SipMessage, bytes: Uint8Array, body: number): SipMessage {
	const first = message.header(CONTENT_LENGTH);
	if (first === undefined) return message;
	const length = contentLength(first, message);
	if (message.hasMore(CONTENT_LENGTH)) {
		for (const v of message.headerLines(CONTENT_LENGTH)) {
			if (contentLength(v, message) !== length) throw new SipParseError("conflicting Content-Length values", 400, message);
		}
	}
	const available = bytes.length - body;
	if (length > available) throw new SipParseError(`Content-Length ${length} is longer than the ${available} octets received`, 400, message);
	if (length < available) message.limitBody(length);
	return message;
}

/** A Content-Length value: 1 to 9 digits. */
function contentLength(v: string, message: SipMessage): number {
	const n = Number(v);
	// The usual value, an integer that prints back as written, needs no RegExp.
	if (n >= 0 && n <= 999999999 && (n | 0) === n && String(n) === v) return n;
	if (!isDigits(v, 0, v.length, 9)) throw new SipParseError(`invalid Content-Length ${JSON.stringify(v)}`, 400, message);
	return n;
}
