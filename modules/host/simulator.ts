/*
 * `npm start`: the doorbell firmware on a laptop. Real SIP over UDP, the web endpoints on
 * localhost, a virtual button (Enter or b) and a virtual relay whose pulses are logged.
 */

import { createInterface } from "node:readline";
import { Doorbell } from "../../app/doorbell.js";
import { uaConfigFrom, localPortFrom, SettingsError } from "../../app/ua-config.js";
import { addStatusRoutes } from "../../app/status-routes.js";
import { createUdp } from "./udp.js";
import { nodeClock } from "./clock.js";
import { nodeMd5, nodeRandom } from "./crypto.js";
import { consoleLogger } from "./logger.js";
import { resolveHost, localAddressToward } from "./network.js";
import { VirtualButton, VirtualRelay } from "./gpio.js";
import { JsonStore, JsonStoreError } from "./json-store.js";
import { HostHttpServer } from "./http-server.js";
import { parseOptions, USAGE } from "./options.js";

async function main(): Promise<void> {
	let options;
	try {
		options = parseOptions(process.argv.slice(2));
	} catch (error) {
		console.error(`${(error as Error).message}\n\n${USAGE}`);
		process.exit(2);
	}
	if (options.help) {
		console.log(USAGE);
		return;
	}
	const log = consoleLogger();
	let store: JsonStore;
	let config;
	let localPort: number;
	try {
		store = new JsonStore(options.settings);
		config = uaConfigFrom(store);
		localPort = options.sipPort ?? localPortFrom(store);
	} catch (error) {
		if (error instanceof SettingsError || error instanceof JsonStoreError) {
			console.error(`Invalid settings in ${options.settings}: ${error.message}\nNothing was changed.`);
			process.exit(2);
		}
		throw error;
	}
	if (!config.user) log.warn(`no SIP account: set sip.sip_user and sip.sip_password in ${options.settings} (or on the web page)`);

	// The address the PBX will see us as.
	let localAddress = "127.0.0.1";
	resolveHost(config.server, async (error, address) => {
		if (!error && address) localAddress = await localAddressToward(address, config.serverPort);
	});
	await new Promise((resolve) => setTimeout(resolve, 50));

	const http = new HostHttpServer(log);
	const button = new VirtualButton();
	const relay = new VirtualRelay(log);
	const doorbell = new Doorbell(
		{
			udp: createUdp, clock: nodeClock, wallClock: Date.now, md5: nodeMd5, random: nodeRandom, log,
			store, routes: http, button, relay,
			localAddress: () => localAddress,
			resolve: resolveHost,
		},
		{ config, localPort, trace: options.trace },
	);
	addStatusRoutes(http, doorbell, () => ({ relay_pulses: relay.pulses, simulator: true }));
	doorbell.start();
	const httpPort = await http.listen(options.http, options.httpHost);
	console.log(`klingel simulator: SIP on UDP ${doorbell.sipSocket.port}, web on http://${options.httpHost}:${httpPort}/sipDebug`);
	console.log("Press Enter or b to ring, h to hang up, s for the status, q to quit.");

	let stopping = false;
	const quit = () => {
		if (stopping) process.exit(1);
		stopping = true;
		console.log("stopping: unregistering…");
		const force = setTimeout(() => process.exit(0), 3000);
		doorbell.stop(() => {
			clearTimeout(force);
			void http.close().then(() => process.exit(0));
		});
	};
	process.on("SIGINT", quit);
	process.on("SIGTERM", quit);
	// One command a line: Enter or b rings, h hangs up, s shows the status, q quits.
	createInterface({ input: process.stdin }).on("line", (line) => {
		const key = line.trim().toLowerCase();
		if (key === "" || key === "b") button.press();
		else if (key === "h") doorbell.ua.hangup();
		else if (key === "s") console.log(JSON.stringify(doorbell.status(), null, 1));
		else if (key === "q") quit();
		else console.log("Enter or b = ring, h = hang up, s = status, q = quit");
	});
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
