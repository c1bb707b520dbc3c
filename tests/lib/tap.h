/*
 * C unit tests use cmocka; tests/run sets CMOCKA_MESSAGE_OUTPUT=TAP and counts the
 * results like those of the shell tests. Include this first in every *_test.c.
 */
#ifndef ORC_TEST_TAP_H
#define ORC_TEST_TAP_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#endif
