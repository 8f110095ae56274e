/* lwIP architecture glue for the simulated Air780EP: a 64-bit Linux host, one thread (NO_SYS=1).
 *
 * Included by lwIP's C sources and by our C++ sources through lwip/arch.h. */
#ifndef LUAT_LWIP_ARCH_CC_H
#define LUAT_LWIP_ARCH_CC_H

#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define BYTE_ORDER __BYTE_ORDER

/* Byte order through the compiler builtins: fast, and no clash with the host's htons()
 * (lwipopts.h sets LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS). */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

/* Use the C library's errno values (lwIP maps its err_t to them). */
#define LWIP_ERRNO_STDINCLUDE 1

/* lwIP draws TCP initial sequence numbers, local ports and DNS ids from this. glibc's arc4random
 * needs no seeding and keeps no state of ours. */
#define LWIP_RAND() ((u32_t)arc4random())

#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
        printf x;             \
    } while (0)

/* An lwIP assertion is a bug in our use of it or in lwIP: stop at once, loudly. */
#define LWIP_PLATFORM_ASSERT(x)                                                                    \
    do {                                                                                           \
        fprintf(stderr, "lwIP assertion \"%s\" failed at line %d in %s\n", x, __LINE__, __FILE__); \
        fflush(stderr);                                                                            \
        abort();                                                                                   \
    } while (0)

#endif /* LUAT_LWIP_ARCH_CC_H */
