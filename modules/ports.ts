/*
 * The ports the portable core receives from a provider (device or host).
 * Nothing here imports Node or Moddable: the core sees only these shapes.
 */

/** A received datagram: an ArrayBuffer with the sender attached (ECMA-419). */
export type Datagram = ArrayBuffer & { address: string; port: number };

/** A UDP socket in the ECMA-419 shape (`embedded:io/socket/udp`). */
export interface UdpSocket {
	/** Next queued packet, or undefined when none is waiting. */
	read(): Datagram | undefined;
	/** Sends one packet, in the SDK's argument order. Throws when the packet cannot be queued. */
	write(data: ArrayBuffer | ArrayBufferView, address: string, port: number): void;
	close(): void;
	/** The bound local port. */
	readonly port: number;
}

export interface UdpOptions {
	/** Local port; 0 or absent lets the system choose. */
	port?: number;
	address?: string;
	/** Called with the number of packets ready to read. */
	onReadable?(count: number): void;
	onError?(error: Error): void;
	/**
	 * Called once the socket is bound, with the port bound; never for a port that is taken. A
	 * provider that binds in the constructor (the device, as ECMA-419 sockets do) calls it there,
	 * before the factory returns; one that binds in the background (Node) calls it later.
	 */
	onBound?(port: number): void;
}

/**
 * Opens a UDP socket; throws (error.code "EADDRINUSE" where known) when the port is taken, and
 * with error.code NO_NETWORK while the provider has no network to open it on. A provider that
 * binds in the background reports a taken port later, through onError, and the bound port through
 * onBound: until then the socket's port is only the one asked for.
 */
export type UdpFactory = (options: UdpOptions) => UdpSocket;

/**
 * The error.code of a socket that cannot be opened yet: the ESP32's sockets refuse to open until
 * Wi-Fi has an interface up (the station associated, or the access point running).
 */
export const NO_NETWORK = "ENETDOWN";

export type TimerId = unknown;

/** Timers and a monotonic clock in milliseconds. */
export interface Clock {
	now(): number;
	setTimeout(callback: () => void, ms: number): TimerId;
	clearTimeout(id: TimerId): void;
	setInterval(callback: () => void, ms: number): TimerId;
	clearInterval(id: TimerId): void;
}

/** Wall-clock time for event logs, in ms since 1970 (may be 0 before time is set). */
export type WallClock = () => number;

/** MD5 of a UTF-8 string, as 32 lowercase hex characters. */
export type Md5 = (text: string) => string;

/** SHA-256 of a UTF-8 string, as 64 lowercase hex characters (admin password hashes, sessions, SIP digest). */
export type Sha256 = (text: string) => string;

/** Fills the array with random bytes. */
export type RandomBytes = (target: Uint8Array) => void;

export interface Logger {
	info(message: string): void;
	warn(message: string): void;
	error(message: string): void;
}

/**
 * A key-value store with NVS rules: a namespace and keys of at most 15 characters each.
 * Values are strings or integers.
 */
export interface KeyValueStore {
	get(namespace: string, key: string): string | number | undefined;
	set(namespace: string, key: string, value: string | number): void;
	delete(namespace: string, key: string): void;
	keys(namespace: string): string[];
}

export const NVS_MAX_NAME = 15;

/** A digital input (button). `read()` is 1 or 0. */
export interface DigitalIn {
	read(): number;
	/** Edge callback, already debounced by the provider. */
	onChange?: (value: number) => void;
	close(): void;
}

/** A digital output (relay). */
export interface DigitalOut {
	write(value: number): void;
	close(): void;
}

/**
 * A dimmable output (the status LED on PWM): `write(level)` from 0 (off) to 1 (full). A provider
 * without PWM shows levels of 0.5 and more as on.
 */
export interface LevelOut {
	write(level: number): void;
	close(): void;
}

/** An HTTP request as the route table sees it. */
export interface HttpRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	headers: Record<string, string>;
	body: string;
	remoteAddress?: string;
}

export interface HttpResponse {
	status: number;
	headers?: Record<string, string>;
	body?: string | ArrayBuffer;
}

export type HttpHandler = (request: HttpRequest) => HttpResponse | Promise<HttpResponse>;

/** The path of a route that answers its method on every path no other route has (modules/route-table.ts). */
export const ANY_PATH = "*";

/** The HTTP route table the provider's server dispatches into. */
export interface HttpRoutes {
	/** `path` is an exact path, or ANY_PATH. */
	add(method: string, path: string, handler: HttpHandler): void;
	/** A POST route whose body is taken as it arrives (a firmware image), where the server can stream. */
	addUpload?(path: string, handler: UploadHandler): void;
}

/** Where an upload's body goes, piece by piece, in order. */
export interface UploadSink {
	/** A piece of the body (the array is the sink's to keep or drop). */
	write(piece: Uint8Array): void;
	/** The body is complete (as long as Content-Length said): the answer. */
	end(): HttpResponse;
	/** The connection broke before the end. */
	abort(): void;
}

/**
 * Starts an upload once the headers are in (`request.body` is empty; `length` is the
 * Content-Length): a sink for the body, or the answer that refuses it unread. `close`, called
 * later, ends the exchange without an answer and closes the connection (for a body that stopped
 * arriving, which the device's server never notices); the sink, done by then, is called no more.
 */
export type UploadHandler = (request: HttpRequest, length: number, close: () => void) => UploadSink | HttpResponse;

/** SHA-256 over bytes given in pieces (a firmware image as it arrives). */
export interface Sha256Stream {
	write(piece: Uint8Array): void;
	/** The hash as 64 lowercase hex characters; the stream is done. */
	close(): string;
}

/** The inactive firmware slot, open for one image. */
export interface FirmwareSlot {
	write(piece: Uint8Array): void;
	/** The whole image is written and checked: boot it next time. Throws when the slot refuses it. */
	complete(): void;
	/** Drops what was written; the running image stays the one that boots. */
	cancel(): void;
}

/** Firmware updates: the ESP32's OTA partitions, or a file in the simulator. */
export interface FirmwareUpdater {
	/** The largest image the inactive slot holds, in bytes. */
	readonly maxSize: number;
	/** Opens the inactive slot for an image of `size` bytes. Throws when it cannot. */
	open(size: number): FirmwareSlot;
	/** Restarts into the new image (the simulator says what the device would do). */
	restart(): void;
	/** The running image works: keep it (ESP-IDF app rollback). Nothing happens where there is no rollback pending. */
	confirm(): void;
	/** Whether the running image still waits for confirm() (it was just installed). */
	readonly pendingConfirm: boolean;
}

/** Audio in (microphone): 16-bit LPCM mono at `sampleRate`. */
export interface AudioIn {
	readonly sampleRate: number;
	/**
	 * Fills `target` with the next samples; returns how many were written. A microphone that
	 * starts on its first read may return fewer for its first reads (the device's delivers
	 * nothing to the read that starts it, then pieces of 32 ms or more). One whose reads were
	 * held up may drop the oldest of what waited (the device's, beyond 100 ms).
	 */
	read(target: Int16Array): number;
	close(): void;
}

/** Audio out (speaker): 16-bit LPCM mono at `sampleRate`. */
export interface AudioOut {
	readonly sampleRate: number;
	write(samples: Int16Array): void;
	close(): void;
}

/** The last will: what the broker publishes when the connection dies without a DISCONNECT. */
export interface MqttWill {
	topic: string;
	payload: string;
	retain: boolean;
}

export interface MqttOptions {
	host: string;
	port: number;
	clientId: string;
	user?: string;
	password?: string;
	will: MqttWill;
	/** Keep-alive in seconds. */
	keepAliveS: number;
	/** The broker accepted the connection (CONNACK 0). */
	onConnect(): void;
	/** A message on a subscribed topic (payload as UTF-8 text). */
	onMessage(topic: string, payload: string): void;
	/** The connection failed or ended (never after close()); one call per client. */
	onClose(reason: string): void;
}

/**
 * One MQTT 3.1.1 connection attempt over TCP, QoS 0, clean session. Nothing here blocks: a
 * publish is queued on the socket or refused, never waited for. Reconnecting is the caller's.
 */
export interface MqttClient {
	/** Queues a message; false when it cannot (not connected, the socket's buffer full). */
	publish(topic: string, payload: string, retain: boolean): boolean;
	subscribe(topic: string): void;
	/**
	 * Ends the connection; onClose is not called. A connected client sends DISCONNECT first (so no
	 * last will); with `abandon` it only closes its socket, in whatever state the attempt is, so one
	 * still connecting can never reach the broker later (the SDK's client has no connect timeout).
	 */
	close(abandon?: boolean): void;
}

export type MqttFactory = (options: MqttOptions) => MqttClient;

export interface HttpPostRequest {
	/** Host name or IPv4 address. */
	host: string;
	port: number;
	/** Path with query; characters beyond printable ASCII go out percent-encoded as UTF-8. */
	path: string;
	headers: Record<string, string>;
	body: string;
	/** The whole exchange is abandoned after this many ms. */
	timeoutMs: number;
	/** The response status, or an error in words (refused, timed out …); called once. */
	done(error: string | undefined, status?: number): void;
}

/** Sends one HTTP/1.1 POST (plain http); returns a function that abandons it. */
export type HttpPost = (request: HttpPostRequest) => () => void;
/** What a camera asks of its user: where the frames go. */
export interface CameraOptions {
	/** Each new JPEG frame, at most one per `intervalMs`. The buffer is the receiver's to keep. */
	onFrame(jpeg: ArrayBuffer): void;
	/** The camera failed (it delivers no more frames until opened again). */
	onError?(error: Error): void;
	/** The shortest time between two frames handed on (ms). */
	intervalMs: number;
}

/** A running capture; close() ends it (a sensor that cannot be stopped safely, as the device's, goes on with its frames dropped). */
export interface CameraStream {
	close(): void;
}

/** Opens the camera and starts capturing; throws when there is none or it cannot start. */
export type CameraFactory = (options: CameraOptions) => CameraStream;

/** What every part of the core may ask of a provider. */
export interface CorePorts {
	udp: UdpFactory;
	clock: Clock;
	wallClock: WallClock;
	md5: Md5;
	random: RandomBytes;
	log: Logger;
}

/** The provider's own health figures for /sipDebug; a field is absent where the platform has none. */
export interface Health {
	/** Seconds since the firmware started. */
	uptime_s: number;
	/** Free system memory in bytes (the ESP32's heap; the simulator's resident set is `rss`). */
	free_heap?: number;
	rss?: number;
	/** The JavaScript heap: XS slot and chunk bytes in use on the device, V8's heap in the simulator. */
	xs_slots_used?: number;
	xs_chunk_used?: number;
	js_heap_used?: number;
	/** Why the chip last started, in words (ESP32: "power-on", "software restart", "task watchdog: the firmware hung and restarted itself", …; modules/device/reset-reason.js). */
	reset_reason?: string;
	/** Wi-Fi signal of the station connection in dBm. */
	wifi_rssi?: number;
}

/** The figures now; with `collect`, after a garbage collection where the platform can run one (live heap, not garbage). */
export type HealthProbe = (collect?: boolean) => Health;

/**
 * Announces the door on the LAN by multicast DNS: `<hostName>.local` and its web page as an
 * `_http._tcp` service. The provider knows its own HTTP port; it logs the name it got (another
 * device may hold the one asked for, and mDNS then picks `<hostName>-2`). False when there was
 * no network to announce on after all (it went down again): the caller asks at the next address.
 */
export type LocalNameAnnouncer = (hostName: string) => boolean;

/** A network found by a Wi-Fi scan. */
export interface WifiNetwork {
	ssid: string;
	/** Signal in dBm. */
	rssi: number;
	/** Whether joining needs a password. */
	secure: boolean;
}

/** What the radio reports to its user (the Wi-Fi start-up). */
export interface WifiRadioOptions {
	/** The station has an address on the home network. */
	onConnected(address: string): void;
	/** The station lost its connection, or a join failed (it keeps trying). */
	onDisconnected(): void;
}

/**
 * The Wi-Fi radio: a station that joins the home network and, for the first set-up, an access
 * point of its own with a DNS server that answers every name with the access point's address
 * (so that a phone's captive-portal check finds the set-up page).
 */
export interface WifiRadio {
	/** The last two bytes of the MAC address as 4 upper-case hex digits (names the access point). */
	readonly id: string;
	/** Joins `ssid` as a station (an empty password for an open network) and keeps rejoining when lost. */
	join(ssid: string, password: string): void;
	/** Opens the access point (WPA2 with `password`) and the DNS answers. */
	openAccessPoint(ssid: string, password: string): void;
	closeAccessPoint(): void;
	/** The access point's own address (with the web port where it is not 80) while it is open. */
	accessPointAddress(): string;
	/** Scans for networks; `done` gets each one found once (at most `max`, strongest first). */
	scan(max: number, done: (networks: WifiNetwork[]) => void): void;
}

export type WifiRadioFactory = (options: WifiRadioOptions) => WifiRadio;
