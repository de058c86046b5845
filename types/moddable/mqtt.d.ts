/*
 * Moddable `mqtt` Client (modules/network/mqtt/mqtt.js): MQTT 3.1.1 over a TCP socket (or a
 * WebSocket with `path`), QoS 0. The keep-alive `timeout` is in ms; `publish`, `subscribe` throw
 * before the broker's CONNACK ("connection closed") and when the socket cannot take the bytes.
 * `onClose` runs when the connection fails or ends (socket error, protocol error, missing
 * PINGRESP), not after the application's own `close()`.
 *
 * A module file, not `declare module "mqtt"`: tsconfig.device.json maps "mqtt" here, ahead of the
 * MQTT.js package in node_modules that the simulator uses.
 */

export interface MqttWill {
	topic: string;
	message: string | ArrayBuffer;
	retain?: boolean;
	quality?: number;
}

export interface ClientOptions {
	host: string;
	port?: number;
	id?: string;
	user?: string;
	password?: string;
	will?: MqttWill;
	/** Keep-alive in ms (sent rounded up to seconds); 0 for none. */
	timeout?: number;
}

export default class Client {
	constructor(options: ClientOptions);
	/** The broker accepted the connection (CONNACK with return code 0). */
	onReady?: () => void;
	onMessage?: (topic: string, payload: ArrayBuffer) => void;
	onClose?: () => void;
	publish(topic: string, data: string | ArrayBuffer, flags?: { retain?: boolean; quality?: number }): void;
	subscribe(topic: string): void;
	unsubscribe(topic: string): void;
	/** Sends DISCONNECT (unless `immediate`) and closes the socket. */
	close(immediate?: boolean): void;
	/** Ends a failed connection: onClose() (without `message`), then close(), a DISCONNECT first while the socket is open. */
	fail(message?: string): void;
}
