import type { AudioIn, AudioOut, CameraFactory, CorePorts, LevelOut, DigitalIn, DigitalOut, FirmwareUpdater, HealthProbe, HttpPost, HttpRoutes, KeyValueStore, LocalNameAnnouncer, MqttFactory, Sha256, Sha256Stream, WifiRadioFactory } from "./ports.js";
import type { NativeAudio } from "./native-audio.js";
import type { BoardPins } from "./esp32s3-pins.js";

/** Everything a provider hands the doorbell application at start-up. */
export interface DoorbellEnvironment extends CorePorts {
	sha256: Sha256;
	store: KeyValueStore;
	routes: HttpRoutes;
	button: DigitalIn;
	relay: DigitalOut;
	/**
	 * The native audio core (G.711, mixer, tones, resampler): call audio, RFC 4733 digits and the
	 * chime need it. The device and the simulator always give it; without it calls have no media.
	 */
	audio?: NativeAudio;
	/** Microphone and speaker (8 or 16 kHz); without them the calls send silence and play nowhere. */
	mic?: AudioIn;
	speaker?: AudioOut;
	/** MQTT over TCP and plain-http POSTs (webhooks): without them the home hears nothing. */
	mqtt?: MqttFactory;
	httpPost?: HttpPost;
	/** This doorbell's id in MQTT topics and discovery (12 hex digits, e.g. from the MAC address). */
	deviceId?: string;
	/**
	 * Opens bell button `bell`'s input (2 to 4) on `pin`: pulled up, debounced like `button`.
	 * Absent when the provider has no more inputs; then those buttons ring only from the web page.
	 */
	openButton?(bell: number, pin: number): DigitalIn;
	/**
	 * The board's BOOT button (GPIO0 on the ESP32-S3 boards: pulled up, debounced like `button`),
	 * inside the housing: held for 10 s it resets the admin password (hardware/button-hold.ts).
	 * Absent where the board has none; then only removing the `web` namespace's `admin` key does.
	 */
	bootButton?: DigitalIn;
	/**
	 * The GPIOs of the board's parts as the build wires them (config button_pin, relay_pin,
	 * gong_pin, led_pin, boot_button_pin), which no bell button may have. Absent: the default
	 * wiring (DEFAULT_BOARD_PINS), as the simulator's.
	 */
	boardPins?: Readonly<BoardPins>;
	/** Uptime, memory, reset reason and Wi-Fi signal for /sipDebug, where the provider has them. */
	health?: HealthProbe;
	/** The house gong's relay (GPIO3 on the reference wiring); absent when none is wired. */
	gong?: DigitalOut;
	/** The status LED (GPIO2, PWM); absent when none is wired. */
	led?: LevelOut;
	/** Whether the set-up access point is open (the status LED breathes); false when absent. */
	accessPoint?(): boolean;
	/** The door's camera (JPEG frames) for the live image; absent when there is none. */
	camera?: CameraFactory;
	/** mDNS: the name on the LAN (setting net.hostname), where the provider can multicast. */
	announce?: LocalNameAnnouncer;
	/**
	 * The Wi-Fi radio, where the firmware joins the network itself (the device; the simulator's
	 * stand-in with --access-point). Absent: the network is there already (the simulator).
	 */
	wifi?: WifiRadioFactory;
	/** Firmware updates over the web page, with the streamed SHA-256 that checks an image. */
	firmware?: FirmwareUpdater;
	sha256Stream?: () => Sha256Stream;
	/** The running firmware's version (package.json's, through the manifest's config on the device). */
	version?: string;
	/** The local IPv4 address to put in Via, Contact and SDP. */
	localAddress(): string;
	/** Resolves a host name (e.g. "fritz.box") to an IPv4 address; numeric addresses pass through. */
	resolve(host: string, callback: (error: Error | undefined, address?: string) => void): void;
}
