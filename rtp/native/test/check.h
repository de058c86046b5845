/* A tiny test harness: "ok - name" / "not ok - name: why" lines, counted by the Makefile. */
#ifndef KLINGEL_CHECK_H
#define KLINGEL_CHECK_H

#include <stdio.h>

static int check_failures_in_test;

#define CHECK(condition, ...) \
	do { \
		if (!(condition)) { \
			if (check_failures_in_test++ < 5) { \
				printf("#   %s:%d: ", __FILE__, __LINE__); \
				printf(__VA_ARGS__); \
				printf("\n"); \
			} \
		} \
	} while (0)

#define RUN(name) \
	do { \
		check_failures_in_test = 0; \
		name(); \
		printf("%s - %s\n", check_failures_in_test ? "not ok" : "ok", #name); \
		if (check_failures_in_test) failed_tests++; \
	} while (0)

#endif
