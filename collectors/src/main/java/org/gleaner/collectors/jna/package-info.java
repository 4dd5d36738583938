/**
 * Every JNA declaration of gleaner: bindings to libc and raw syscalls, and nothing else.
 * Parsing of the bytes these calls return lives with each collector.
 */
package org.gleaner.collectors.jna;
