// Checks for the Debian packages the tests need, and installs them with apt-get when root.
import { spawnSync } from "node:child_process";

/** Debian package → the command that shows it is there. */
export const PACKAGES = {
	kamailio: "/usr/sbin/kamailio",
	"kamailio-extra-modules": "/usr/lib/x86_64-linux-gnu/kamailio/modules/topos.so",
	"baresip-core": "/usr/bin/baresip",
	"sip-tester": "/usr/bin/sipp",
	chromium: "/usr/bin/chromium",
	valgrind: "/usr/bin/valgrind",
	gcc: "/usr/bin/gcc",
	make: "/usr/bin/make",
	sox: "/usr/bin/sox",
	mosquitto: "/usr/sbin/mosquitto",
	tshark: "/usr/bin/tshark",
	"libspandsp-dev": "/usr/include/x86_64-linux-gnu/spandsp.h",
	"libspeexdsp-dev": "/usr/include/speex/speex_echo.h",
	"espeak-ng": "/usr/bin/espeak-ng",
	iproute2: "/usr/sbin/ip",
};

function installed(name) {
	const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", name], { encoding: "utf8" });
	return r.status === 0 && r.stdout.includes("install ok installed");
}

/** Returns the names still missing after trying to install them. */
export function ensureDebianPackages(names = Object.keys(PACKAGES)) {
	let missing = names.filter((n) => !installed(n));
	if (missing.length === 0) return [];
	if (process.getuid && process.getuid() === 0) {
		console.log(`Installing Debian packages: ${missing.join(" ")}`);
		const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
		spawnSync("apt-get", ["update"], { stdio: "inherit", env });
		spawnSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { stdio: "inherit", env });
		missing = missing.filter((n) => !installed(n));
	}
	if (missing.length) {
		console.error(`Missing Debian packages: ${missing.join(" ")}`);
		console.error(`Install them as root: apt-get install -y ${missing.join(" ")}`);
	}
	return missing;
}
